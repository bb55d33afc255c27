"""Spans the offline labeller must neither score nor show as keywords: identity terms and names.

A person's race, religion, gender, nationality, origin, sexuality or disability is never a reason
for a sentiment label ("a black guy" is not a negative cue), and neither is a person's name. These
spans are blanked out of the text before the model scores it, so they cannot move the label, and
they can never become keywords. The lists are deliberately broad; missing a word here costs little
(it then only counts as any other word), naming one as a sentiment cue costs a lot.

Social-post noise is blanked the same way (`noise_spans`): Weibo's repost markers (转发微博, the
`//@someone:` of a repost chain), @mentions, #topic# tags, URLs and the platform's stock captions
(分享图片, 网页链接, 我在这里). They say nothing about the poster's sentiment, and a bare
"转发微博" is neutral.
"""

from __future__ import annotations

import re

_EN_IDENTITY = (
    r"black|white|brown|asian|asians|african|africans|african[- ]american|latino|latina|latinos|"
    r"latinx|hispanic|hispanics|caucasian|arab|arabs|arabic|jewish|jew|jews|muslim|muslims|islamic|"
    r"christian|christians|catholic|catholics|hindu|hindus|buddhist|buddhists|sikh|atheist|atheists|"
    r"gay|gays|lesbian|lesbians|bisexual|transgender|trans|queer|homosexual|straight|"
    r"woman|women|man|men|girl|girls|boy|boys|guy|guys|lady|ladies|gentleman|gentlemen|female|"
    r"females|male|males|mexican|mexicans|chinese|indian|indians|japanese|korean|koreans|american|"
    r"americans|british|french|german|germans|russian|russians|irish|italian|italians|pakistani|"
    r"nigerian|filipino|vietnamese|immigrant|immigrants|foreigner|foreigners|refugee|refugees|"
    r"disabled|handicapped|deaf|blind|elderly|old man|old woman|old lady|granny|grandpa|native"
)
_EN_IDENTITY_RE = re.compile(rf"\b(?:{_EN_IDENTITY})\b")
_ZH_IDENTITY_RE = re.compile(
    r"黑人|白人|黄种人|黑鬼|老黑|老外|外国人|洋人|鬼佬|穆斯林|回民|回族|基督徒|佛教徒|犹太人|同性恋|"
    r"基佬|拉拉|变性人|女人|男人|女的|男的|女生|男生|女孩|男孩|小姐姐|小哥哥|小姑娘|小伙子|大妈|大爷|"
    r"阿姨|大叔|老太太|老头|娘们|日本人|美国人|中国人|韩国人|印度人|俄罗斯人|非洲人|河南人|东北人|"
    r"上海人|北京人|广东人|四川人|新疆人|农民工|乡下人|外地人|残疾人|聋子|瞎子|哑巴|少数民族|女性|男性"
    r"|[男女](?=客服|店员|服务员|老板|司机|快递员|骑手|顾客|同事|医生|老师|销售)"
)
_ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_ZH_NAME_RE = re.compile(
    rf"[小老阿][{_ZH_SURNAMES}](?![了的吗呢])|[{_ZH_SURNAMES}](?:先生|女士|小姐|经理|师傅|老师|总|工|姐|哥)"
    rf"|(?<=我叫)[{_ZH_SURNAMES}][\u4e00-\u9fff]{{1,2}}?(?=[，,。\s]|$)"
)
# English names: an honorific or an introduction and the capitalised word(s) after it.
_EN_NAME_RE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sir|Madam)\.? [A-Z][a-z]+(?: [A-Z][a-z]+)?"
    r"|(?<=\bmy name is )[A-Z][a-z]+|(?<=\bthis is )[A-Z][a-z]+(?= from\b)"
    r"|\b[A-Z][a-z]+(?= from (?:billing|support|sales|accounts?|customer service|tech support|the help ?desk"
    r"|your team|the store|the shop)\b)"
    r"|(?:(?<=\bagent )|(?<=\brep )|(?<=\brepresentative )|(?<=\btechnician )|(?<=\bdriver )"
    r"|(?<=\bcourier )|(?<=\bmanager ))[A-Z][a-z]+"
)


_NOISE_RE = re.compile(
    r"//@[^:：\s]{1,30}[:：]?"  # repost chain: //@someone:
    r"|@[\w\-·]{1,30}"  # @mention (up to a space or punctuation)
    r"|#(?=[^#\n]{0,40}[\u4e00-\u9fff])[^#\n]{1,40}#"  # Weibo #话题# (English "#a #b" hashtags stay)
    r"|(?:https?://|www\.)\S+|\bt\.cn/\S+"
    r"|转发微博|轉發微博|(?:分享|发布了|发表了)(?:图片|视频|头条文章|单曲)|o?网页链接|我在这里[:：]?|我在[:：]"
    r"|转发(?=[\s/，,。]|$)"
)


def noise_spans(text: str) -> list[tuple[int, int]]:
    """Social-post noise in `text`: repost markers and chains, @mentions, #topics#, URLs, stock
    captions (offsets into it, also valid for `text.lower()`)."""
    return [m.span() for m in _NOISE_RE.finditer(text.lower())]


def blocked_spans(text: str) -> list[tuple[int, int]]:
    """Identity terms, names and social-post noise in `text` (offsets into it, also valid for
    `text.lower()`)."""
    lower = text.lower()
    spans = [m.span() for m in _EN_IDENTITY_RE.finditer(lower)]
    spans += [m.span() for m in _ZH_IDENTITY_RE.finditer(lower)]
    spans += [m.span() for m in _ZH_NAME_RE.finditer(text)]
    spans += [m.span() for m in _EN_NAME_RE.finditer(text)]
    spans += noise_spans(text)
    return spans


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span replaced by spaces (offsets stay valid)."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def is_capitalised_name(original: str, start: int, end: int) -> bool:
    """A capitalised English word in the middle of a sentence (likely a name, e.g. "ask Kevin")."""
    word = original[start:end]
    if not re.fullmatch(r"[A-Z][a-z]+", word) or start == 0:
        return False
    before = original[:start].rstrip()
    return bool(before) and before[-1] not in ".!?:;\"'“(" and word != "I"
