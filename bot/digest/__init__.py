"""The daily digest: one day's numbers in SENTIBOT_TIMEZONE, per channel and for all channels.

What one digest holds, and the exact rules behind each number:

* **Volume**: messages labelled that day (`ok` items); failed items are counted apart and never
  enter a share. The day is the item's stored local date (`items.day`, SENTIBOT_TIMEZONE).
* **Mix and shares**: positive / neutral / negative over the labelled messages.
* **Deltas** in percentage points (pp) of each share, against the day before and against the
  previous 7 days (day-7 … day-1, the digest day excluded). The 7-day share is pooled (all
  labelled messages of those days together, i.e. a volume-weighted average); the 7-day volume is
  the mean per calendar day, empty days counted as 0. A delta is `None` ("no data") when the
  reference period has nothing labelled.
* **Negative-rate alert** when the negative share is strictly ABOVE the threshold
  (SENTIBOT_NEGATIVE_ALERT_RATIO): share > threshold alerts, share == threshold does not. The
  comparison is exact (fractions), so 3 negatives of 10 at 0.30 never alerts through float noise.
  Checked for the total and for each channel; any alert goes first in the reply.
* **Top negative themes**: the keywords of that day's negative items, normalised (NFKC, case
  folded, whitespace collapsed, surrounding punctuation stripped) and grouped when one contains
  the other: for CJK a substring of at least 2 characters (物流 ⊂ 物流慢), for other scripts a
  whole-word run of at least 3 letters ("delivery" ⊂ "late delivery"). A group is named after its
  most frequent keyword and counts the negative items mentioning any of its keywords (an item is
  counted once per group). At most `THEME_SAMPLE` negative items per day (and channel) are read,
  sampled evenly over the day (see `StatsRepository.negative_keyword_lists`).
* **Reviews**: flagged conversations opened that day (local day) and how many of those are
  still open, plus the whole open queue up to the end of that day and the age of its oldest one.
* **Trend chart**: the 7 days ending on the digest day, all channels (`charts.daily_trend_png`).

Channels: a section per channel seen that day when the data names channels (items without a
channel form a "(no channel)" section next to them); the top `MAX_CHANNELS` by volume are listed.
When no item of the day has a channel, only the all-channels total is shown.

Modules: `model` (what a digest holds), `build` (the numbers, from storage), `themes` (the top
negative themes), `render` (the reply's words and the JSON shape).
"""

from bot.digest.build import build_digest, digest_lang, is_alert, today_digest_reply
from bot.digest.model import Digest, ReviewStats, Section, Theme
from bot.digest.render import channel_name, digest_json, digest_lines, digest_reply, format_age, format_pp
from bot.digest.themes import group_themes, normalise_keyword, related

__all__ = [
    "Digest",
    "ReviewStats",
    "Section",
    "Theme",
    "build_digest",
    "channel_name",
    "digest_json",
    "digest_lang",
    "digest_lines",
    "digest_reply",
    "format_age",
    "format_pp",
    "group_themes",
    "is_alert",
    "normalise_keyword",
    "related",
    "today_digest_reply",
]
