"""DingTalk adapter: Stream mode (`stream.run_stream_mode`), the signed HTTP callback
(`callback.dingtalk_router`), markdown replies (`render`), the async client (`client`) and the
senders for digests and review announcements (`outbound.send_to_target`). See SETUP.md."""
