"""Settings from the environment or a `.env` file (names fixed by the contract)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Flavor = Literal["vllm", "ollama", "dashscope"]


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _alias(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    """Everything an operator can set. Unset model URL means the offline labeller serves."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    db: Path = Field(Path("./sentibot.db"), validation_alias=_alias("SENTIBOT_DB"))
    llm_base_url: str | None = Field(None, validation_alias=_alias("SENTIBOT_LLM_BASE_URL"))
    llm_model: str = Field("Qwen3-1.7B", validation_alias=_alias("SENTIBOT_LLM_MODEL"))
    llm_api_key: str = Field("EMPTY", validation_alias=_alias("SENTIBOT_LLM_API_KEY"))
    llm_thinking: bool = Field(True, validation_alias=_alias("SENTIBOT_LLM_THINKING"))
    llm_flavor_setting: Flavor | None = Field(None, validation_alias=_alias("SENTIBOT_LLM_FLAVOR"))
    llm_concurrency: int = Field(8, ge=1, le=256, validation_alias=_alias("SENTIBOT_LLM_CONCURRENCY"))
    llm_batch_size: int = Field(8, ge=1, le=100, validation_alias=_alias("SENTIBOT_LLM_BATCH_SIZE"))
    llm_timeout_s: float = Field(120.0, gt=0, validation_alias=_alias("SENTIBOT_LLM_TIMEOUT_S"))
    llm_max_retries: int = Field(3, ge=0, le=10, validation_alias=_alias("SENTIBOT_LLM_MAX_RETRIES"))
    llm_max_tokens: int = Field(8192, ge=256, validation_alias=_alias("SENTIBOT_LLM_MAX_TOKENS"))

    offline_model: Path | None = Field(None, validation_alias=_alias("SENTIBOT_OFFLINE_MODEL"))

    public_url: str = Field("http://127.0.0.1:8000", validation_alias=_alias("SENTIBOT_PUBLIC_URL"))
    web_token: str | None = Field(None, validation_alias=_alias("SENTIBOT_WEB_TOKEN"))
    negative_alert_ratio: float = Field(
        0.30, ge=0, le=1, validation_alias=_alias("SENTIBOT_NEGATIVE_ALERT_RATIO")
    )
    timezone: str = Field("Asia/Shanghai", validation_alias=_alias("SENTIBOT_TIMEZONE"))
    digest_time: str = Field("09:00", validation_alias=_alias("SENTIBOT_DIGEST_TIME"))
    digest_targets: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_alias("SENTIBOT_DIGEST_TARGETS")
    )
    review_targets: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_alias("SENTIBOT_REVIEW_TARGETS")
    )
    agent_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_alias("SENTIBOT_AGENT_IDS")
    )

    # The watch (issue 12): watched conversations, judging when quiet, real-time alerts, retention.
    watch_channels: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_alias("SENTIBOT_WATCH_CHANNELS")
    )
    qa_idle_seconds: int = Field(1800, ge=1, validation_alias=_alias("SENTIBOT_QA_IDLE_SECONDS"))
    alert_window_minutes: int = Field(
        60, ge=1, le=24 * 60, validation_alias=_alias("SENTIBOT_ALERT_WINDOW_MINUTES")
    )
    alert_min_messages: int = Field(20, ge=1, validation_alias=_alias("SENTIBOT_ALERT_MIN_MESSAGES"))
    retention_days: int | None = Field(None, ge=1, validation_alias=_alias("SENTIBOT_RETENTION_DAYS"))

    slack_bot_token: str | None = Field(None, validation_alias=_alias("SLACK_BOT_TOKEN"))
    slack_signing_secret: str | None = Field(None, validation_alias=_alias("SLACK_SIGNING_SECRET"))
    slack_app_token: str | None = Field(None, validation_alias=_alias("SLACK_APP_TOKEN"))
    slack_api_url: str = Field("https://slack.com/api/", validation_alias=_alias("SENTIBOT_SLACK_API_URL"))

    dingtalk_client_id: str | None = Field(None, validation_alias=_alias("DINGTALK_CLIENT_ID"))
    dingtalk_client_secret: str | None = Field(None, validation_alias=_alias("DINGTALK_CLIENT_SECRET"))
    dingtalk_robot_code: str | None = Field(None, validation_alias=_alias("DINGTALK_ROBOT_CODE"))
    dingtalk_webhook_url: str | None = Field(None, validation_alias=_alias("DINGTALK_WEBHOOK_URL"))
    dingtalk_webhook_secret: str | None = Field(None, validation_alias=_alias("DINGTALK_WEBHOOK_SECRET"))
    dingtalk_api_url: str = Field(
        "https://api.dingtalk.com", validation_alias=_alias("SENTIBOT_DINGTALK_API_URL")
    )
    # An AI card template (DingTalk card builder, markdown variable `content`): long work shows
    # live progress in it; unset → the markdown reply only.
    dingtalk_card_template_id: str | None = Field(
        None, validation_alias=_alias("SENTIBOT_DINGTALK_CARD_TEMPLATE_ID")
    )
    dingtalk_oapi_url: str = Field(
        "https://oapi.dingtalk.com", validation_alias=_alias("SENTIBOT_DINGTALK_OAPI_URL")
    )

    @field_validator("digest_targets", "review_targets", "agent_ids", "watch_channels", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("digest_targets", "review_targets")
    @classmethod
    def _targets(cls, value: list[str]) -> list[str]:
        from bot.notify import parse_targets  # late: notify depends on the core's reply models

        parse_targets(value)  # raises with the entry and the right syntax
        return value

    @field_validator("watch_channels")
    @classmethod
    def _watched(cls, value: list[str]) -> list[str]:
        from bot.watch.watchlist import parse_watch_target

        return [str(parse_watch_target(entry)) for entry in value]

    @field_validator("retention_days", mode="before")
    @classmethod
    def _blank_keeps(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("llm_base_url", "web_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("offline_model")
    @classmethod
    def _model_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no model file at {value}; build one with `sentibot train --data FILE.csv`")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Shanghai") from exc
        return value

    @field_validator("digest_time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        hours, _, minutes = value.partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ValueError("must be HH:MM, e.g. 09:00")
        return f"{int(hours):02d}:{int(minutes):02d}"

    @cached_property
    def llm_flavor(self) -> Flavor:
        """The flavor set explicitly, else guessed from the URL (DashScope, Ollama's port)."""
        if self.llm_flavor_setting:
            return self.llm_flavor_setting
        url = urlparse(self.llm_base_url or "")
        host = url.hostname or ""
        if "dashscope" in host or "aliyuncs" in host:
            return "dashscope"
        if url.port == 11434 or "ollama" in host:
            return "ollama"
        return "vllm"

    @property
    def uses_llm(self) -> bool:
        return self.llm_base_url is not None

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def dingtalk_enabled(self) -> bool:
        return bool(self.dingtalk_client_id and self.dingtalk_client_secret)
