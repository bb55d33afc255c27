"""What the watch says: answers to `watch` / `unwatch`, the watched list, alerts and the
"judged while you were away" announcement line. Plain text, both languages."""

from __future__ import annotations

from dataclasses import dataclass

from bot.replies import Reply, error_reply
from bot.watch.watchlist import RemoveOutcome, WatchEntry
from domain.models import ASPECT_NAMES_ZH, Lang


def _t(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def watch_added_reply(*, added: bool, hears_unmentioned: bool, lang: Lang) -> Reply:
    if added:
        title = _t(lang, "👀 已开始监控这个对话", "👀 Watching this conversation from now on")
    else:
        title = _t(lang, "👀 这个对话已在监控中", "👀 This conversation is already watched")
    lines = [
        _t(
            lang,
            "每条消息都会被标注并存入历史；对话安静下来后自动判定，需要复核的发到待审频道。"
            "我在这里保持安静，除非被 @。",
            "Every message is labelled and kept in the history; conversations are judged when they "
            "go quiet and flags go to the review targets. I stay silent here unless @-mentioned.",
        )
    ]
    if not hears_unmentioned:
        lines.insert(
            0,
            _t(
                lang,
                "⚠️ 注意：钉钉群里机器人只能收到 @它 的消息（平台不提供其他方式），"
                "所以这里只会监控 @机器人 的消息；与机器人的单聊会完整监控。",
                "⚠️ Note: in a DingTalk group the robot only receives messages that @-mention it (the "
                "platform offers no other way), so only @-messages are watched here; one-to-one chats "
                "with the robot are watched in full.",
            ),
        )
    return Reply(kind="watch", lang=lang, title=title, lines=lines)


def watch_unavailable_reply(lang: Lang) -> Reply:
    message = _t(
        lang,
        "只能在 Slack 频道或钉钉会话里发送“监控”；其他地方请用 `sentibot watch add slack:频道ID`。",
        "`watch` works inside a Slack channel or a DingTalk chat; elsewhere use "
        "`sentibot watch add slack:CHANNEL_ID`.",
    )
    return error_reply(message, lang)


def watch_removed_reply(outcome: RemoveOutcome, *, lang: Lang) -> Reply:
    if outcome == "removed":
        title = _t(lang, "🙈 已取消监控这个对话", "🙈 No longer watching this conversation")
    elif outcome == "from_setting":
        title = _t(
            lang,
            "⚠️ 这个对话是通过 SENTIBOT_WATCH_CHANNELS 设置监控的，请在设置中删除它后重启。",
            "⚠️ This conversation is watched through SENTIBOT_WATCH_CHANNELS: remove it there and restart.",
        )
    else:
        title = _t(lang, "这个对话没有被监控。", "This conversation is not watched.")
    return Reply(kind="watch", lang=lang, title=title)


def watch_list_lines(entries: list[WatchEntry]) -> list[str]:
    """One line per watched conversation (CLI and chat)."""
    lines = []
    for entry in entries:
        if entry.origin == "setting":
            lines.append(f"{entry.target}  (SENTIBOT_WATCH_CHANNELS)")
        else:
            who = f" by {entry.added_by}" if entry.added_by else ""
            lines.append(f"{entry.target}  (added {entry.added_at}{who})")
    return lines


@dataclass(frozen=True)
class AlertExample:
    text: str
    link: str


@dataclass(frozen=True)
class AlertFacts:
    channel: str
    window_minutes: int
    total: int
    negative: int
    ratio: float
    aspects: list[tuple[str, int]]  # (aspect, negative messages), most first
    examples: list[AlertExample]

    @property
    def share(self) -> float:
        return self.negative / self.total if self.total else 0.0


def alert_reply(facts: AlertFacts, *, lang: Lang, link: str | None) -> Reply:
    title = _t(
        lang,
        f"🚨 负面激增：{facts.channel} 最近 {facts.window_minutes} 分钟 {facts.share:.0%} 为负面"
        f"（{facts.negative}/{facts.total} 条，阈值 {facts.ratio:.0%}）",
        f"🚨 Negative spike in {facts.channel}: {facts.share:.0%} negative in the last "
        f"{facts.window_minutes} min ({facts.negative} of {facts.total}; threshold {facts.ratio:.0%})",
    )
    lines = []
    if facts.aspects:
        names = [f"{ASPECT_NAMES_ZH.get(a, a) if lang == 'zh' else a} {n}" for a, n in facts.aspects[:3]]
        lines.append(_t(lang, "主要问题：", "Top aspects: ") + " · ".join(names))
    for example in facts.examples[:3]:
        text = " ".join(example.text.split())
        text = text if len(text) <= 140 else text[:139] + "…"
        lines.append(f"🔴 {text} — {example.link}")
    return Reply(kind="alert", lang=lang, title=title, lines=lines, link=link)


def thread_line(permalink: str | None, lang: Lang) -> str | None:
    if not permalink:
        return None
    return _t(lang, f"对话链接：{permalink}", f"Thread: {permalink}")
