"""Build the shipped offline model from the development data in ../shared/data.

    uv run python scripts/build_offline_model.py [DATA_DIR] [--out PATH]

Trains on online_shopping_10_cats (Chinese) and SST-2 train minus a held-out split (English;
see `sst2_split`). waimai_10k, the held-out SST-2 split and tweeteval are never trained on: they
are what `benchmarks/offline_accuracy.py` measures. Writes bot/labelers/data/offline_model.json.gz.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.labelers.offline import SHIPPED_MODEL_PATH  # noqa: E402
from bot.labelers.offline_train import (  # noqa: E402
    lexicon_rows,
    read_sst2,
    sst2_split,
    train,
    vader_lexicon,
)

MAX_FEATURES = 60_000  # per language, strongest weights kept; keeps the file ~1 MB
# Inverse regularisation per language. English is regularised hard: its only training text is movie
# reviews, and smaller weights carry over better to chat and tweets (more neutral on texts without
# clear sentiment words). Chinese shopping reviews are close enough to other customer comments.
C = {"zh": 4.0, "en": 0.25}


def read_online_shopping(path: Path) -> list[tuple[str, str]]:
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for rec in csv.DictReader(fh):
            text = (rec["review"] or "").replace("\ufeff", "").strip()
            if text:
                rows.append((text, rec["label"]))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", nargs="?", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=SHIPPED_MODEL_PATH)
    args = parser.parse_args(argv)
    shopping, sst2 = args.data / "online_shopping_10_cats.csv", args.data / "sst2_train.tsv"
    for path in (shopping, sst2):
        if not path.exists():
            print(f"missing {path}: pass the folder holding the shared data", file=sys.stderr)
            return 2
    t0 = time.perf_counter()
    zh_rows = read_online_shopping(shopping)
    sst2_train, sst2_held = sst2_split(read_sst2(sst2))
    print(f"online_shopping_10_cats: {len(zh_rows)} rows; SST-2: {len(sst2_train)} train, "
          f"{len(sst2_held)} held out", file=sys.stderr)  # fmt: skip
    meta = {
        "name": "sentibot shipped offline model",
        "training_data": [
            {
                "name": "online_shopping_10_cats",
                "source": "SophonPlus/ChineseNlpCorpus, datasets/online_shopping_10_cats",
                "rows": len(zh_rows),
                "language": "zh",
            },
            {
                "name": "SST-2 train (GLUE) minus a held-out split",
                "source": "GLUE SST-2 train; held out: sentence-like rows in a 5 % hash bucket and "
                "every phrase overlapping them (bot.labelers.offline_train.sst2_split)",
                "rows": len(sst2_train),
                "held_out_rows": len(sst2_held),
                "language": "en",
            },
            {
                "name": "VADER lexicon",
                "source": "vaderSentiment (C.J. Hutto), MIT licence: valences, negations, boosters "
                "(a rule-based score as features; entries with |valence| >= 1 as one-word training rows)",
                "language": "en",
            },
        ],
        "never_trained_on": ["waimai_10k", "SST-2 held-out split", "tweeteval sentiment val"],
        "built_by": "scripts/build_offline_model.py",
    }
    report = train(
        zh_rows + sst2_train,
        args.out,
        progress=lambda msg: print(msg, file=sys.stderr),
        meta=meta,
        c=C,
        max_features=MAX_FEATURES,
        # VADER words (|valence| >= 1) as one-word rows: informal vocabulary movie reviews lack.
        extra={"en": lexicon_rows(vader_lexicon())},
    )
    print(report.summary())
    print(f"built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
