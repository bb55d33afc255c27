"""Data shapes shared by the core (`bot/`), storage (`storage/`) and the adapters; imports none of them."""
