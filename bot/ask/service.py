"""Answering a question about the history: the one entry point every surface reaches via the core.

With a Qwen3 server configured the model picks the tools and writes the answer (`bot/ask/llm.py`);
an answer it cannot give, or one stating a number no tool returned, is replaced by the templated
answer of the offline path, and the log says why. Without a server the offline path answers.
A question the parser cannot read (and the model did not answer) gets one line saying what can
be asked.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.ask import answers
from bot.ask.llm import AskModel, ModelAnswerRejected
from bot.ask.models import Answer
from bot.ask.offline import answer_offline
from bot.ask.periods import Period
from bot.ask.questions import Question, understand
from bot.ask.tools import AskTools
from bot.config import Settings
from bot.errors import InputError
from bot.i18n import detect_lang
from storage import Store

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500


class AskService:
    def __init__(self, *, settings: Settings, store: Store, model: AskModel | None = None) -> None:
        self.settings = settings
        self.store = store
        self.tools = AskTools(store, public_url=settings.public_url)
        self.model = model

    async def ask(self, question: str, *, now: datetime | None = None, chart: bool = True) -> Answer:
        """Answer `question`; `now` is injectable so "today" can be pinned (tests, replays)."""
        text = " ".join(question.split())
        if not text:
            raise InputError("the question is empty: ask e.g. “what do customers complain about this week?”")
        if len(text) > MAX_QUESTION_CHARS:
            raise InputError(f"the question is too long: at most {MAX_QUESTION_CHARS} characters")
        today = self.settings.today(now=now)
        parsed = understand(text, today=today, channels=self.store.ask.channels())
        answer: Answer | None = None
        if self.model is not None:
            try:
                answer = await self.model.answer(text, today=today, tools=self.tools, fallback=parsed)
            except ModelAnswerRejected as exc:
                log.warning("ask: the model's answer was not used (%s); answering from the templates", exc)
                if parsed is not None:
                    answer = await asyncio.to_thread(answer_offline, parsed, self.tools)
                    answer.note = str(exc)
        elif parsed is not None:
            answer = await asyncio.to_thread(answer_offline, parsed, self.tools)
        if answer is None:
            lang = detect_lang(text)
            return Answer(question=text, lang=lang, text=answers.help_line(lang), answered_by="offline")
        if chart and parsed is not None and answer.chart_id is None:
            answer.chart_id = await self._chart(parsed)
        return answer

    async def _chart(self, q: Question) -> str | None:
        """A daily trend over the days the answer talks about, when that is more than one day."""
        first = min(q.period.first, q.compare_to.first) if q.compare_to else q.period.first
        span = Period(first, q.period.last)
        if q.kind == "worst" or span.days < 2:
            return None
        from bot import charts  # matplotlib is slow to import; only when drawing

        per_day: dict[str, dict[str, int]] = {}
        for row in self.store.messages.daily_counts(
            first_day=span.first.isoformat(), last_day=span.last.isoformat(), channel=q.channel
        ):
            bucket = "failed" if row["bucket"] == "pending" else str(row["bucket"])
            day = per_day.setdefault(str(row["day"]), {})
            day[bucket] = day.get(bucket, 0) + int(row["n"])
        points = [
            charts.DayCounts(
                day=day,
                positive=counts.get("positive", 0),
                negative=counts.get("negative", 0),
                neutral=counts.get("neutral", 0),
                failed=counts.get("failed", 0),
            )
            for day in (span.first + timedelta(days=k) for k in range(span.days))
            for counts in [per_day.get(day.isoformat(), {})]
        ]
        title = answers.period_words(span, q.lang)
        png = await asyncio.to_thread(charts.daily_trend_png, points, lang=q.lang, title=title)
        return self.store.charts.save(png, kind="ask")
