"""The web pages' own words (the chrome), in every page language, and how a page picks its language.

One language per page: the reader's choice (the `sentibot_lang` cookie set by the switch in the
header), else the browser's (`Accept-Language`), else English. Every label, chip, button, date
and number the page draws itself follows it. What the bot wrote (reply titles, explanations,
reasons) stays in the language of the input it answers, as on every other surface.

The same strings reach the scripts as JSON (`base.html` puts `page_text(lang)` on the page), so
the templates and the JavaScript never carry words of their own.
"""

from __future__ import annotations

from fastapi import Request

from domain.models import Lang

LANG_COOKIE = "sentibot_lang"
PAGE_LANGS: tuple[Lang, ...] = ("en", "zh")

# key: (English, 中文). `{n}`-style fields are filled by the template or script.
_TEXT: dict[str, tuple[str, str]] = {
    # header
    "nav_chat": ("Chat", "对话"),
    "nav_reviews": ("Reviews", "待审"),
    "nav_digest": ("Digest", "日报"),
    "nav_api": ("API", "API"),
    "log_out": ("Log out", "退出"),
    "switch_to": ("中文", "English"),
    "switch_title": ("切换到中文", "Switch to English"),
    "home": ("sentibot home", "sentibot 首页"),
    # labels
    "positive": ("positive", "正面"),
    "neutral": ("neutral", "中性"),
    "negative": ("negative", "负面"),
    "failed": ("failed", "失败"),
    "label_mix": ("label mix", "情感分布"),
    # chat
    "chat_title": ("Chat", "对话"),
    "welcome_title": ("How do your customers feel?", "客户的感受如何？"),
    "welcome_body": (
        "Paste one comment, a list (one per line) or a conversation with Customer:/Agent: "
        "(or 客户:/客服:) lines. Every label comes with its confidence, keywords and reason.",
        "粘贴一条评论、多条评论（每行一条），或以“客户:”/“客服:”开头的对话。"
        "每个标注都附有置信度、关键词和理由。",
    ),
    "ex_one": ("One comment", "一条评论"),
    "ex_list": ("A short list", "几条评论"),
    "ex_conversation": ("A conversation", "一段对话"),
    "ex_one_text": ("The parcel took two weeks and arrived damaged.", "物流太慢了，等了一周还没到"),
    "ex_list_text": (
        "Support fixed my issue in five minutes, amazing!\nThe app keeps crashing since the last update.\n"
        "Delivery was on time.\nThe refund request has been waiting for three days.\n"
        "Lovely packaging, will buy again",
        "客服五分钟就解决了问题，太棒了\n更新之后应用一直闪退\n准时送达\n退款申请提交三天了还没人处理\n包装很用心，下次还来",
    ),
    "ex_conversation_text": (
        "Customer: My order arrived broken and nobody answers my emails.\n"
        "Agent: Sorry to hear that. Could you send a photo?\n"
        "Customer: I sent three photos last week. This is ridiculous, I want a refund.",
        "客户: 收到的杯子是碎的，发邮件也没人回\n客服: 非常抱歉，麻烦您拍张照片给我\n"
        "客户: 上周就发了三张照片了，太离谱了，我要退款",
    ),
    "ex_stats": ("stats 7d", "统计 7d"),
    "ex_review": ("review", "待审"),
    "ex_help": ("help", "帮助"),
    "message": ("Message", "消息"),
    "placeholder": ("Paste comments or a conversation…", "粘贴评论或对话…"),
    "send": ("Send", "发送"),
    "hint_send": ("sends", "发送"),
    "hint_newline": ("new line", "换行"),
    "hint_try": ("try", "试试"),
    "labelled_by": ("labelled by {name}", "标注来源：{name}"),
    "labelled_by_prefix": ("labelled by", "标注来源："),
    "recent_runs": ("Recent runs", "最近记录"),
    "nothing_yet": ("Nothing labelled yet.", "还没有标注记录。"),
    "kind_text": ("Comment", "单条评论"),
    "kind_list": ("List", "评论列表"),
    "kind_conversation": ("Conversation", "对话"),
    "n_items": ("{n} items", "{n} 条"),
    "n_items_one": ("1 item", "1 条"),
    "n_failed": ("{n} failed", "{n} 条失败"),
    "running": ("running…", "标注中…"),
    "today": ("today", "今天"),
    "working": ("working", "处理中"),
    "more_lines": ("+{n} more lines", "另有 {n} 行"),
    "show_reasoning": ("Show reasoning", "查看推理过程"),
    "customer_overall": ("Customer overall", "客户整体情绪"),
    "resolved": ("Resolved", "已解决"),
    "not_resolved": ("Not resolved", "未解决"),
    "needs_review": ("Needs review", "需要复核"),
    "agent_issues": ("Agent issues: ", "客服问题："),
    "open_review": ("Open review #{n} →", "打开待审 #{n} →"),
    "customer_turns": ("Customer messages only", "仅统计客户发言"),
    "full_results": ("Full results", "完整结果"),
    "csv": ("CSV", "CSV"),
    "labelling_n": ("Labelling {n} items…", "正在标注 {n} 条…"),
    "progress_done": (
        "{done} labelled — keep working, the results will land here. ",
        "已完成 {done} — 可以继续操作，结果会显示在这里。",
    ),
    "run_page": ("Run page", "查看运行页"),
    "try_again": ("Try again", "重试"),
    "label_failed_again": ("Label failed items again", "重新标注失败的条目"),
    "labelling": ("Labelling…", "标注中…"),
    "most_negative_first": ("Most negative first", "最负面的在前"),
    "show_all": ("Show all {n}", "显示全部 {n} 条"),
    "more_on_run_page": ("The other {n} are on the run page →", "其余 {n} 条见运行页 →"),
    "something_wrong": ("Something went wrong", "出错了"),
    "cannot_reach": ("Cannot reach sentibot. Is the server running?", "连接不上 sentibot，服务在运行吗？"),
    "open_link": ("Open →", "打开 →"),
    "chart_alt": ("chart of the labels", "标注图表"),
    "chart_open": ("Open the full-size chart", "打开大图"),
    # run page
    "run": ("Run", "运行"),
    "download_csv": ("Download CSV", "下载 CSV"),
    "one_comment": ("One comment", "单条评论"),
    "list_of_comments": ("List of comments", "评论列表"),
    "from_source": ("from {source}", "来自 {source}"),
    "progress_refresh": (
        "{done} / {total} labelled — this page refreshes when it is done.",
        "已完成 {done} / {total} — 完成后本页会自动刷新。",
    ),
    "labeller_down": ("The labeller did not answer", "标注服务没有响应"),
    "labeller_down_help": (
        "The run is saved with its items marked failed. Label them again once the model server is back "
        "(button above, or sentibot relabel --failed).",
        "本次已保存，条目标记为失败。模型服务恢复后可重新标注（上方按钮，或 sentibot relabel --failed）。",
    ),
    "review_link": ("Review #{n} ({status}) →", "待审 #{n}（{status}）→"),
    "filter_items": ("Filter items", "筛选条目"),
    "all": ("All", "全部"),
    # reviews page
    "reviews_title": ("Review queue", "待审队列"),
    "reviews_intro": (
        "Conversations the bot flagged for a human look. Open one, check the run, and mark it reviewed — "
        "with the right label if the bot got it wrong.",
        "机器人标记为需要人工查看的对话。打开一条，查看运行结果，然后标记为已审——如果标注有误，请选择正确的标签。",
    ),
    "open": ("Open", "未处理"),
    "queue_empty": ("Nothing waiting for review.", "没有待审的对话。"),
    "conversation": ("Conversation", "对话"),
    "why": ("Why", "原因"),
    "where": ("Where", "来源"),
    "open_thread": ("open thread", "打开原对话"),
    "see_run": ("See the conversation and labels →", "查看对话和标注 →"),
    "history": ("History", "记录"),
    "event_by": ("{action} by {actor}", "{actor} {action}"),
    "reviewer": ("Reviewer", "审核人"),
    "your_name": ("your name", "你的名字"),
    "right_label": ("Right label", "正确标签"),
    "bot_was_right": ("bot was right", "机器人没错"),
    "note": ("Note", "备注"),
    "note_placeholder": ("what you did or found (optional)", "你做了什么或发现了什么（可选）"),
    "mark_reviewed": ("Mark reviewed", "标记已审"),
    "resolved_h": ("Resolved", "已处理"),
    "none_yet": ("None yet.", "暂无。"),
    "resolved_by": ("by {name}", "由 {name} 处理"),
    "bot_label": ("bot", "机器人"),
    "why_flagged": ("Why flagged", "标记原因"),
    "reopen": ("Reopen", "重新打开"),
    "could_not_save": ("Could not save.", "保存失败。"),
    "marked_reviewed": ("Review #{n} marked reviewed.", "待审 #{n} 已标记为已审。"),
    "reopened": ("Review #{n} is open again.", "待审 #{n} 已重新打开。"),
    "action_flagged": ("flagged", "标记"),
    "action_updated": ("updated", "更新"),
    "action_resolved": ("resolved", "已审"),
    "action_reopened": ("reopened", "重新打开"),
    "status_open": ("open", "未处理"),
    "status_resolved": ("resolved", "已处理"),
    # the history: runs, messages, drill-down, import
    "nav_messages": ("Messages", "消息"),
    "nav_runs": ("Runs", "运行记录"),
    "all_runs": ("Every run →", "全部运行记录 →"),
    "runs_title": ("Every run", "全部记录"),
    "runs_intro": (
        "{n} runs, newest first. Open one for its items and CSV.",
        "共 {n} 次，最新的在前。打开一次可查看条目和 CSV。",
    ),
    "col_when": ("When", "时间"),
    "col_source": ("Source", "来源"),
    "col_kind": ("Kind", "类型"),
    "col_size": ("Size", "条数"),
    "col_first_text": ("First text", "第一条"),
    "first_page": ("← Newest", "← 最新"),
    "next_page": ("Older →", "更早 →"),
    "messages_title": ("Messages", "消息记录"),
    "messages_intro": (
        "The history, newest first. Filters are in the address: copy it to share this view.",
        "历史消息，最新的在前。筛选条件在地址里：复制地址即可分享当前视图。",
    ),
    "export_csv": ("Export CSV", "导出 CSV"),
    "f_search": ("Search", "搜索"),
    "f_search_ph": ("words in the text", "消息中的文字"),
    "f_from": ("From", "起始"),
    "f_to": ("To", "截止"),
    "f_label": ("Label", "标签"),
    "f_aspect": ("Aspect", "方面"),
    "f_role": ("Role", "角色"),
    "f_channel": ("Channel", "渠道"),
    "f_conversation": ("Conversation", "会话"),
    "f_apply": ("Filter", "筛选"),
    "f_clear": ("Clear", "清除"),
    "of_run": ("Messages of run", "本次记录的消息："),
    "pending": ("pending", "待标注"),
    "role_customer": ("customer", "客户"),
    "role_agent": ("agent", "客服"),
    "aspect_delivery": ("delivery", "物流"),
    "aspect_service": ("service", "客服"),
    "aspect_quality": ("quality", "质量"),
    "aspect_price": ("price", "价格"),
    "aspect_billing": ("billing", "退款/账单"),
    "aspect_account": ("account", "账户"),
    "aspect_product": ("product", "产品/功能"),
    "aspect_other": ("other", "其他"),
    "text_deleted": ("(text deleted by retention)", "（文本已按保留期限删除）"),
    "corrected_by": ("label set by {name}", "标签由 {name} 修改"),
    "no_messages": ("No message matches these filters.", "没有符合筛选条件的消息。"),
    "drill_days": ("By day", "按天"),
    "drill_labels": ("By label", "按标签"),
    "drill_aspects": ("By aspect", "按方面"),
    "drill_hint": (
        "Click a day, label or aspect to see its messages.",
        "点击某一天、标签或方面，查看对应的消息。",
    ),
    "n_negative": ("{n} negative", "负面 {n}"),
    "see_messages": ("See these messages →", "查看这些消息 →"),
    "import_title": ("Import a file", "导入文件"),
    "import_intro": (
        "A CSV or XLSX export (tickets, reviews, chat logs), up to 5 MB; larger files: sentibot import. "
        "Check the columns, then import: rows already stored are not added again.",
        "CSV 或 XLSX 导出文件（工单、评价、聊天记录），最大 5 MB；更大的文件请用 sentibot import。"
        "确认各列后导入：已存储的行不会重复添加。",
    ),
    "import_file": ("File", "文件"),
    "import_source": ("Source name", "来源名称"),
    "import_channel": ("Channel (optional)", "渠道（可选）"),
    "import_preview": ("First rows", "前几行"),
    "import_columns": ("Which column is which", "各列对应"),
    "import_none": ("— none —", "— 无 —"),
    "import_run": ("Import", "导入"),
    "import_running": ("Importing and labelling…", "正在导入并标注…"),
    "import_done": (
        "{rows} rows read: {new} new, {already} already stored, {rejected} rejected.",
        "读取 {rows} 行：新增 {new}，已存在 {already}，拒绝 {rejected}。",
    ),
    "import_see": ("See the imported messages →", "查看导入的消息 →"),
    "import_rejected_row": ("row {row}: {error}", "第 {row} 行：{error}"),
    "import_need_text": ("Pick the text column.", "请选择文本列。"),
    "import_kept": ("Other columns are kept with each message.", "其他列会随消息一起保存。"),
    "field_text": ("text", "文本"),
    "field_id": ("id", "编号"),
    "field_time": ("time", "时间"),
    "field_conversation": ("conversation", "会话"),
    "field_role": ("role", "角色"),
    "field_author": ("author", "作者"),
    "field_channel": ("channel", "渠道"),
    # error pages
    "not_found": ("Not found", "找不到页面"),
    "not_right": ("Something is not right", "出了点问题"),
    "back_to_chat": ("Back to the chat", "返回对话"),
    # digest
    "digest_none": (
        "Nothing has been labelled yet, so there is no digest with data. This is today's (empty) digest.",
        "还没有任何标注记录，所以没有有数据的日报。下面是今天（空的）日报。",
    ),
    "digest_latest": ("The latest day with data: {day}.", "最近一个有数据的日子：{day}。"),
}


def page_text(lang: Lang) -> dict[str, str]:
    """Every chrome string in `lang` (`{"nav_chat": "对话", …}`)."""
    index = 1 if lang == "zh" else 0
    return {key: pair[index] for key, pair in _TEXT.items()}


def page_lang(request: Request) -> Lang:
    """The page language: the reader's switch (cookie), else the browser's first language we speak."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in PAGE_LANGS:
        return "zh" if chosen == "zh" else "en"
    return accept_language(request.headers.get("accept-language", ""))


def accept_language(header: str) -> Lang:
    """`zh-CN,zh;q=0.9,en;q=0.8` → `zh`: the highest-weighted language we have, English otherwise."""
    best: tuple[float, Lang] | None = None
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        lang: Lang | None = "zh" if tag.startswith("zh") else "en" if tag.startswith("en") else None
        if lang and weight > 0 and (best is None or weight > best[0]):
            best = (weight - position * 1e-6, lang)
    return best[1] if best else "en"
