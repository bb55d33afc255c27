"""Behaviour of the built-in offline labeller and of `train` (the `sentibot train` backend)."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from pathlib import Path

import pytest

from bot.labelers.offline import CHUNK, OfflineLabeler
from bot.labelers.offline_train import read_labelled_csv, shared_part, train
from domain.models import TextIn

REPO = Path(__file__).resolve().parents[3]
SHARED_DATA = REPO.parent / "shared" / "data"
SUPPORT_EVAL = REPO / "benchmarks" / "data" / "support_dev.tsv"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("物流太慢了，客服也不理人", "negative"),
        ("太难吃了，再也不会买了，要求退款", "negative"),
        ("味道很好，送餐很快，下次还点", "positive"),
        ("东西很好用，质量不错，推荐购买", "positive"),
        ("This is terrible, I want a refund.", "negative"),
        ("The product broke after two days, awful quality.", "negative"),
        ("Great service, fast delivery, I love it!", "positive"),
        ("Thanks so much, the support team was wonderful and helpful.", "positive"),
    ],
)
def test_obvious_examples(labeler: OfflineLabeler, text: str, label: str) -> None:
    item = labeler.predict(text)
    assert item.label == label
    assert item.status == "ok" and item.labeler == "offline"
    assert 0.5 <= (item.confidence or 0) <= 1


@pytest.mark.parametrize("text", ["The order was shipped on Monday.", "The package arrives on Tuesday."])
def test_flat_factual_sentence_is_neutral(labeler: OfflineLabeler, text: str) -> None:
    item = labeler.predict(text)
    assert item.label == "neutral"
    assert "Neutral" in item.explanation


@pytest.mark.parametrize(
    "text",
    [
        "物流太慢了，客服也不理人",
        "味道很好，送餐很快，下次还点",
        "This is TERRIBLE, I want a Refund!",
        "Not good at all.",
    ],
)
def test_keywords_come_from_text_and_explanation_names_them(labeler: OfflineLabeler, text: str) -> None:
    item = labeler.predict(text)
    assert 1 <= len(item.keywords) <= 5
    assert len(set(item.keywords)) == len(item.keywords)
    for kw in item.keywords:
        assert kw in text.lower()
    assert item.keywords[0] in item.explanation


def test_explanation_language_follows_text(labeler: OfflineLabeler) -> None:
    assert labeler.predict("物流太慢了，客服也不理人").explanation.startswith("判为负面")
    assert labeler.predict("This is terrible, I want a refund.").explanation.startswith("Negative")


def test_url_and_mentions_are_not_keywords(labeler: OfflineLabeler) -> None:
    item = labeler.predict("@badguy awful awful service https://bad.example.com/terrible")
    assert item.label == "negative"
    assert all("http" not in k and "@" not in k and "badguy" not in k for k in item.keywords)


# --- customer-support messages -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "请问什么时候发货？",
        "请问怎么申请退款",
        "我想修改收货地址",
        "你好，在吗",
        "麻烦问一下，这款有现货吗？",
        "我的订单号是5531",
        "发票可以开公司抬头吗",
        "How do I reset my password?",
        "Can I change my delivery address?",
        "Where is my order #5531?",
        "What are your opening hours on Sunday?",
    ],
)
def test_support_questions_and_statements_are_neutral(labeler: OfflineLabeler, text: str) -> None:
    item = labeler.predict(text)
    assert item.label == "neutral", (item.label, item.confidence, item.keywords)
    assert item.keywords == []  # no sentiment cue: none is named
    assert "没有发现明显的情感词" in item.explanation or "no strong sentiment cue" in item.explanation


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("客服态度很好，问题解决了", "positive"),
        ("退款已经到账了，谢谢", "positive"),
        ("等了一个星期还没发货，太慢了", "negative"),
        ("客服一直不回复，我要投诉", "negative"),
        ("退款一直没到账，差评", "negative"),
        ("Thanks, that fixed it!", "positive"),
        ("Great support, problem solved quickly.", "positive"),
        ("The app keeps crashing", "negative"),
        ("Still not working, this is ridiculous.", "negative"),
        ("My refund never arrived and nobody replies.", "negative"),
    ],
)
def test_support_complaints_and_praise(labeler: OfflineLabeler, text: str, label: str) -> None:
    item = labeler.predict(text)
    assert item.label == label, (item.label, item.confidence, item.keywords)
    assert item.keywords


@pytest.mark.parametrize(
    "text", ["请问什么时候发货？", "发票什么时候开", "你好，在吗", "客服态度很好，问题解决了"]
)
def test_keywords_are_not_function_word_fragments(labeler: OfflineLabeler, text: str) -> None:
    fragments = {"了", "吗", "你", "请问", "什么", "请问什么", "什么时候", "你好"}
    assert not set(labeler.predict(text).keywords) & fragments


def test_support_eval_set_accuracy(labeler: OfflineLabeler) -> None:
    """The hand-written support dev set (benchmarks/offline_accuracy.py reports it and the test set)."""
    from bot.i18n import detect_lang

    by_lang: dict[str, list[bool]] = {"zh": [], "en": []}
    for line in SUPPORT_EVAL.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            gold, _, text = line.partition("\t")
            by_lang[detect_lang(text)].append(labeler.predict(text).label == gold)
    for lang, hits in by_lang.items():
        assert len(hits) >= 150
        assert sum(hits) / len(hits) >= 0.80, lang


@pytest.mark.slow
def test_model_build_cannot_read_benchmark_data() -> None:
    code = (
        "from scripts.build_offline_model import forbid_benchmark_data\n"
        "forbid_benchmark_data()\n"
        f"open({str(SUPPORT_EVAL)!r})\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert run.returncode != 0 and "must not read evaluation data" in run.stderr


def test_held_out_categories_are_not_trained_on(tmp_path: Path) -> None:
    from scripts.build_offline_model import main, read_online_shopping

    path = _write_csv(
        tmp_path / "shop.csv",
        ["cat", "label", "review"],
        [
            ("酒店", "1", "房间干净，早餐丰盛"),
            ("书籍", "0", "\ufeff印刷太差 "),
            ("酒店", "0", "隔音很差"),
            ("衣服", "1", ""),
        ],
        bom=True,
    )
    rows, held = read_online_shopping(path, ["酒店"])
    assert rows == [("印刷太差", "0")] and held == 2
    everything = [("房间干净，早餐丰盛", "1"), ("印刷太差", "0"), ("隔音很差", "0")]
    assert read_online_shopping(path) == (everything, 0)
    with pytest.raises(ValueError, match="酒店s"):
        read_online_shopping(path, ["酒店s"])  # a typo must not hold out nothing
    # The tune part (rules for long reviews are chosen on it) is left out with holdout_tune.
    path = _write_csv(
        tmp_path / "shop2.csv",
        ["cat", "label", "review"],
        [
            ("酒店", "1", "早餐丰盛"),
            ("酒店", "1", "房间很大"),
            ("衣服", "0", "发货太慢"),
            ("衣服", "1", "颜色好看"),
        ],
    )
    assert [shared_part(t) for t in ("早餐丰盛", "房间很大", "发货太慢", "颜色好看")] == [
        "tune",
        "test",
        "tune",
        "fit",
    ]
    assert read_online_shopping(path, holdout_tune=True) == ([("房间很大", "1"), ("颜色好看", "1")], 2)
    # An evaluation build never overwrites the shipped model: it needs --out.
    assert main(["--holdout-categories", "酒店"]) == 2
    assert main(["--holdout-shopping-tune"]) == 2


def test_the_shopping_tune_part_is_a_sixth_and_measured_apart_from_the_held_out_categories(
    shared_data: Path,
) -> None:
    from benchmarks.offline_accuracy import held_out_shopping, shopping_tune
    from scripts.build_offline_model import read_online_shopping, shopping_records

    path = shared_data / "online_shopping_10_cats.csv"
    if not path.exists():
        pytest.skip(f"{path} not present")
    records = shopping_records(path)
    rows, held = read_online_shopping(path, holdout_tune=True)
    assert 0.12 < held / len(records) < 0.21  # about a sixth
    tune = shopping_tune(shared_data, {"held_out_shopping_tune": True})
    assert tune and not {t for t, _ in tune} & {t for t, _ in rows}  # never trained on
    hotel = held_out_shopping(shared_data, ["酒店"], {"held_out_categories": ["酒店"]})
    measured = {t for rows_ in hotel.values() for t, _ in rows_}
    assert measured and not measured & {t for t, _ in tune}  # what rules are chosen on is not reported


def test_held_out_categories_of_the_shared_data_are_not_trained_on(shared_data: Path) -> None:
    from scripts.build_offline_model import read_online_shopping, shopping_records

    path = shared_data / "online_shopping_10_cats.csv"
    if not path.exists():
        pytest.skip(f"{path} not present")
    records = shopping_records(path)
    rows, held = read_online_shopping(path, ["酒店", "书籍"])
    assert held == sum(cat in ("酒店", "书籍") for cat, _, _ in records) > 0
    assert len(rows) == len(records) - held
    trained = {text for text, _ in rows}
    hotel_only = {t for cat, t, _ in records if cat == "酒店"} - {t for cat, t, _ in records if cat != "酒店"}
    assert hotel_only and not hotel_only & trained


async def test_label_preserves_ids_roles_and_reports_progress(labeler: OfflineLabeler) -> None:
    items = [
        TextIn(id=7, text="客服态度很差", role="customer", author="u1"),
        TextIn(id=9, text="您好，已为您处理", role="agent", author="a1"),
        TextIn(id=3, text="great, thanks!"),
    ] + [TextIn(id=100 + i, text=f"comment {i} is fine") for i in range(CHUNK + 50)]
    seen: list[tuple[int, int]] = []
    result = await labeler.label(items, on_progress=lambda done, total: seen.append((done, total)))
    assert [i.id for i in result.items] == [i.id for i in items]
    assert [(i.text, i.role, i.author) for i in result.items] == [(i.text, i.role, i.author) for i in items]
    assert all(i.labeler == "offline" and i.status == "ok" and i.label for i in result.items)
    total = len(items)
    assert seen == [(CHUNK, total), (total, total)]  # reported as the work goes, not only at the end


async def test_label_empty_batch(labeler: OfflineLabeler) -> None:
    assert (await labeler.label([])).items == []


# --- training -----------------------------------------------------------------------------------

_POS_EN = ["excellent", "wonderful", "great", "fantastic", "lovely", "perfect", "amazing", "delightful"]
_NEG_EN = ["horrible", "awful", "terrible", "disgusting", "broken", "useless", "dreadful", "rotten"]
_POS_ZH = ["非常满意", "特别好吃", "服务周到", "质量很好", "物超所值", "送货很快", "强烈推荐", "包装精美"]
_NEG_ZH = ["非常失望", "难吃死了", "态度恶劣", "质量太差", "浪费钱", "送货太慢", "再也不买", "包装破损"]


def _tiny_rows() -> list[tuple[str, str]]:
    rng = random.Random(0)
    rows = []
    for i in range(16):
        rows.append((f"the pizza was {_POS_EN[i % 8]}, {rng.choice(_POS_EN)} meal", "positive"))
        rows.append((f"the pizza was {_NEG_EN[i % 8]}, {rng.choice(_NEG_EN)} meal", "negative"))
        rows.append((f"这家店{_POS_ZH[i % 8]}，{rng.choice(_POS_ZH)}", "正面"))
        rows.append((f"这家店{_NEG_ZH[i % 8]}，{rng.choice(_NEG_ZH)}", "负面"))
    return rows


def _write_csv(path: Path, header: list[str], rows: list[tuple[str, str]], bom: bool = False) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_train_from_csv_builds_a_loadable_model(tmp_path: Path) -> None:
    data = _write_csv(tmp_path / "mine.csv", ["review", "sentiment"], _tiny_rows(), bom=True)
    rows = read_labelled_csv(data)
    assert len(rows) == 64 and {label for _, label in rows} == {"positive", "negative"}
    messages: list[str] = []
    out = tmp_path / "model.json.gz"
    report = train(rows, out, progress=messages.append)
    assert out.exists() and report.size_bytes == out.stat().st_size
    assert set(report.langs) == {"zh", "en"} and messages
    assert "zh:" in report.summary()

    mine = OfflineLabeler(model_path=out)
    assert mine.predict("the pizza was wonderful, excellent meal").label == "positive"
    assert mine.predict("the pizza was horrible, rotten meal").label == "negative"
    assert mine.predict("这家店非常满意，强烈推荐").label == "positive"
    assert mine.predict("这家店非常失望，态度恶劣").label == "negative"


def test_train_accepts_three_classes_and_numeric_labels(tmp_path: Path) -> None:
    english = [(t, y) for t, y in _tiny_rows() if t.startswith("the")]
    rows = [(t, {"positive": "1", "negative": "0"}[y]) for t, y in english]
    rows += [(f"the pizza was delivered at {h} pm", "neutral") for h in range(1, 13)]
    report = train(rows, tmp_path / "m.json.gz")
    assert report.langs["en"].classes == {"positive": 16, "negative": 16, "neutral": 12}
    assert "zh" not in report.langs  # served by the shipped model
    mine = OfflineLabeler(model_path=tmp_path / "m.json.gz")
    assert mine.predict("the pizza was terrible, awful meal").label == "negative"


def test_bad_csv_says_what_to_fix(tmp_path: Path) -> None:
    no_label = _write_csv(tmp_path / "a.csv", ["text", "stars"], [("good", "5")])
    with pytest.raises(ValueError, match="label column"):
        read_labelled_csv(no_label)
    no_text = _write_csv(tmp_path / "b.csv", ["stars", "label"], [("5", "positive")])
    with pytest.raises(ValueError, match="text column"):
        read_labelled_csv(no_text)
    bad_label = _write_csv(tmp_path / "c.csv", ["text", "label"], [("good", "1"), ("meh", "maybe")])
    with pytest.raises(ValueError, match=r"line 3.*unknown label 'maybe'.*positive/negative/neutral"):
        read_labelled_csv(bad_label)
    with pytest.raises(ValueError, match="nothing to train on"):
        train([("just one row", "positive")], tmp_path / "x.json.gz")


# --- measured on shared data (skipped when absent) --------------------------------------------


def test_waimai_sample_accuracy(labeler: OfflineLabeler) -> None:
    path = SHARED_DATA / "waimai_10k.csv"
    if not path.exists():
        pytest.skip(f"{path} not present")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [(r["review"], "positive" if r["label"] == "1" else "negative") for r in csv.DictReader(fh)]
    # The shipped model is trained on the fit part of waimai_10k: measure on the test half only.
    rows = [r for r in rows if shared_part(r[0]) == "test"]
    sample = random.Random(1).sample(rows, 1000)
    calls = [(labeler.predict(t).label, y) for t, y in sample]
    decided = [(p, y) for p, y in calls if p != "neutral"]
    assert len(decided) >= 700
    assert sum(p == y for p, y in decided) / len(decided) >= 0.85


def test_chinese_keywords_read_as_phrases_not_fragments(labeler: OfflineLabeler) -> None:
    item = labeler.predict("快递员态度很好")
    assert item.label == "positive"
    assert item.keywords == ["快递员态度很好"]  # not "员态度很好" or "快"
    many = labeler.predict("很快，好吃，味道足，量大")
    assert all(len(k) > 1 for k in many.keywords)


# --- QA findings: short praise, weak single words, keyword spans, rare labels ----------------------


@pytest.mark.parametrize(
    "text", ["好评", "给好评", "必须好评", "五星好评", "五星", "点赞", "满意", "量太大，一个菜绝对够2人吃"]
)
def test_plain_review_praise_is_positive(labeler: OfflineLabeler, text: str) -> None:
    item = labeler.predict(text)
    assert item.label == "positive", (item.label, item.confidence, item.keywords)


@pytest.mark.parametrize("text", ["还行", "还可以", "凑合", "挺好", "量大", "分量足", "够吃"])
def test_mild_or_portion_phrases_are_not_negative(labeler: OfflineLabeler, text: str) -> None:
    assert labeler.predict(text).label != "negative"


@pytest.mark.parametrize(
    "text", ["ok", "OK", "fine", "meh", "alert", "sure", "满意", "好评", "great", "terrible"]
)
def test_a_single_word_is_never_fully_confident(labeler: OfflineLabeler, text: str) -> None:
    assert (labeler.predict(text).confidence or 0) <= 0.8


def test_support_ambiguous_vader_words_are_not_sentiment(labeler: OfflineLabeler) -> None:
    for text in ("alert", "alert(1)"):  # the lead strips HTML tags separately (bot/text.py)
        assert labeler.predict(text).label == "neutral", text


def test_short_text_cap_grows_with_length() -> None:
    from bot.labelers.offline.calibration import short_text_cap as _short_text_cap

    assert _short_text_cap("ok", "word") == 0.8
    assert _short_text_cap("don't like it", "word") == 0.9  # "don't" is one word
    assert _short_text_cap("this is a really long complaint", "word") == 1.0
    assert _short_text_cap("好评", "char") == 0.8
    assert _short_text_cap("量太大，一个菜绝对够2人吃", "char") == 1.0


def test_english_keyword_spans_snap_to_whole_words() -> None:
    from bot.labelers.offline.keywords import snap_to_words as _snap_to_words

    text = "it doesn't work, i don’t have it"
    start = text.index("n't work")
    assert text[slice(*_snap_to_words(start, start + len("n't work"), text))] == "doesn't work"
    start = text.index("t have")
    assert text[slice(*_snap_to_words(start, start + len("t have"), text))] == "don’t have"
    start = text.index("work")
    assert _snap_to_words(start + 1, start + 3, text) == (start, start + 4)  # "or" of "work"
    assert _snap_to_words(0, 2, text) == (0, 2)  # already whole


@pytest.mark.parametrize(
    "text",
    [
        "I don't have my order and it doesn't work",
        "It don't work at all, I can't log in",
        "This isn't good and they won't help",
    ],
)
def test_english_keywords_are_whole_words_of_the_text(labeler: OfflineLabeler, text: str) -> None:
    import re

    item = labeler.predict(text)
    assert item.keywords
    lower = text.lower()
    for kw in item.keywords:
        assert not kw.startswith(("n't", "'", "t ")), kw
        at = [m.start() for m in re.finditer(re.escape(kw), lower)]
        assert at, kw
        # the keyword neither starts nor ends inside a word of the original text
        assert any(
            (s == 0 or not (lower[s - 1].isalnum() or lower[s - 1] in "'’"))
            and (
                s + len(kw) == len(lower) or not (lower[s + len(kw)].isalnum() or lower[s + len(kw)] in "'’")
            )
            for s in at
        ), kw


def test_train_leaves_out_a_label_with_too_few_rows(tmp_path: Path) -> None:
    """198 negative, 103 positive and 1 neutral Chinese rows: train zh on the two usable labels."""
    rng = random.Random(3)
    rows = [(f"这家店{rng.choice(_NEG_ZH)}，{rng.choice(_NEG_ZH)}{i}", "negative") for i in range(198)]
    rows += [(f"这家店{rng.choice(_POS_ZH)}，{rng.choice(_POS_ZH)}{i}", "positive") for i in range(103)]
    rows += [("请问几点发货", "neutral")]
    messages: list[str] = []
    out = tmp_path / "m.json.gz"
    report = train(rows, out, progress=messages.append)
    assert set(report.langs) == {"zh"} and not report.skipped
    assert report.langs["zh"].classes == {"negative": 198, "positive": 103}
    assert len(report.warnings) == 1 and "neutral (1 row)" in report.warnings[0]
    assert any("neutral (1 row)" in m for m in messages)
    assert "warning: zh: left out neutral" in report.summary()
    mine = OfflineLabeler(model_path=out)
    assert mine.predict("这家店非常失望，态度恶劣").label == "negative"

    # Fewer than two usable labels: still refused, saying why.
    lonely = [(t, y) for t, y in rows if y == "negative"] + [("这家店非常满意", "positive")]
    with pytest.raises(ValueError, match=r"nothing to train on.*at least two labels"):
        train(lonely, tmp_path / "x.json.gz")


def test_shared_parts_keep_the_test_half_and_cut_the_dev_half_in_fit_and_tune() -> None:
    """The test half is the one the benchmark always reported (a salted hash of the text); the
    other half is cut into a fit part (the shipped model may train on it) and a tune part."""
    import hashlib

    texts = [f"comment number {i}" for i in range(3000)]
    parts = [shared_part(t) for t in texts]
    for text, part in zip(texts, parts, strict=True):
        old_dev = (
            int.from_bytes(hashlib.blake2b(f"dev:{text}".encode(), digest_size=4).digest(), "big") % 2 == 0
        )
        assert (part != "test") == old_dev
    fit, tune, test = (parts.count(p) for p in ("fit", "tune", "test"))
    assert 1300 < test < 1700 and 0.4 < tune / (fit + tune) * 1.5 < 0.6


def test_neutral_bars_are_per_language_and_respected() -> None:
    """The shipped model carries its own bars per language, and `decide` applies them."""
    from dataclasses import replace

    from bot.labelers.offline.calibration import decide
    from bot.labelers.offline.model import load_model

    subs = load_model(None).langs
    for sub in subs.values():
        assert sub.p_min_cued is not None and 0.4 <= sub.p_min_cued <= sub.p_min <= 0.9
    en = subs["en"]
    probs = {"negative": 0.2, "positive": 0.8}
    text = "this long enough sentence is great for the test"
    assert decide(replace(en, p_min=0.7, p_min_cued=0.6), probs, text, worded=True).label == "positive"
    assert decide(replace(en, p_min=0.9, p_min_cued=0.85), probs, text, worded=True).label == "neutral"
    assert decide(replace(en, p_min=0.85, p_min_cued=0.6), probs, text).label == "neutral"
