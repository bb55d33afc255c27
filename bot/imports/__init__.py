"""Importing exports (CSV, TSV, XLSX, JSONL) into the history: read, map columns, parse times, label."""
