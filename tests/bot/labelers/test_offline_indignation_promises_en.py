"""English kinds of issue 14's eighth round (offline labeller), each a foolish answer before it:
- indignation: "I have been a customer for ten years and this is how you treat me?" was positive at
  0.96 with "treat" as its reason; "how dare you" likewise;
- the customer's own loyalty praises nobody ("as a loyal customer" alone read as praise at 0.99);
- "I expected better" / "we deserve better" are complaints ("As a longtime subscriber I expected
  better" was positive with "better" as its reason);
- what was promised is what came: "just as pictured", "exactly as described", "exactly what I
  needed" are praise (they were neutral or barely positive); "not as described" stays a complaint;
- "honestly" / "frankly" strengthen a verdict and are none ("Honestly, we deserve better than this"
  was positive with "honestly" as its reason).
The phrasings are written for this table.
"""

from __future__ import annotations

import pytest

from bot.labelers.offline import OfflineLabeler

# (kind, text, label, a word that must be among the keywords, or "")
CASES = [
    ("indignation", "Six years with your bank and this is how you treat me?", "negative", "treat me"),
    ("indignation", "Is this how you treat customers who pay on time?", "negative", "treat"),
    ("indignation", "How dare you close my account without telling me", "negative", ""),
    ("praise_usage", "This is how you treat a guest: fresh flowers and a handwritten card", "positive", ""),
    ("own_loyalty", "Long-time customer here and this is the worst service I have had", "negative", ""),
    ("own_loyalty", "I've been a customer for over five years, and my order vanished", "negative", ""),
    ("expected_better", "For that price I expected better", "negative", "expected better"),
    ("expected_better", "Frankly, your customers deserve better", "negative", "deserve better"),
    ("expected_better", "The sequel was even better than I expected", "positive", ""),
    ("as_promised", "The rug looks just as pictured", "positive", "as pictured"),
    ("as_promised", "Came on time and exactly as described", "positive", "as described"),
    ("as_promised", "This adapter is exactly what I needed", "positive", "exactly what i needed"),
    ("not_as_promised", "The jacket is not as described at all", "negative", ""),
    ("not_as_promised", "It wasn't as pictured, the colour is off", "negative", ""),
    ("discourse_marker", "Honestly, the worst update so far", "negative", ""),
    ("discourse_marker", "To be honest I really like the new layout", "positive", ""),
]


@pytest.mark.parametrize(("kind", "text", "label", "shown"), CASES, ids=[f"{k}:{t}" for k, t, _, _ in CASES])
def test_each_kind(labeler: OfflineLabeler, kind: str, text: str, label: str, shown: str) -> None:
    item = labeler.predict(text)
    assert item.label == label, (kind, item.label, item.confidence, item.keywords, item.explanation)
    if shown:
        assert any(shown in k for k in item.keywords), (kind, item.keywords)
    markers = ("honestly", "frankly", "to be honest", "loyal", "long-time", "customer for")
    assert not any(m in k for m in markers for k in item.keywords), (kind, item.keywords)
