"""Generated customer-support training rows for the shipped offline model (zh and en).

    uv run python scripts/support_phrases.py [--sample N]     # print a sample of the rows

The shopping reviews and movie reviews the shipped model learns from have no neutral class, and in
them service words (发货, 订单, 退款, 客服, refund, order) mostly come with complaints. These rows
teach the model what support chat looks like:

- `neutral_rows(lang)`: inquiries and matter-of-fact statements built from templates (question
  frames × service objects × endings; order numbers, dates, addresses, greetings, acknowledgements).
  They make the Chinese and English sub-models three-class.
- `lexicon_rows(lang)`: a small hand-written domain lexicon of clear support sentiment
  (解决了, 退款一直没到账, keeps crashing, thanks that fixed it) and plain review praise (好评,
  五星, 满意, 量大, 够吃), as short positive/negative training rows, plus service objects combined
  with clearly positive or negative predicates; for Chinese also mild verdicts (还行, 还可以, 凑合)
  as neutral rows.

Everything is generated from the lists in this file with a fixed seed: no data is read, and in
particular nothing under benchmarks/ (the support evaluation set there is test-only).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.i18n import detect_lang

SEED = 20240611
N_NEUTRAL = {"zh": 4000, "en": 3000}  # generated inquiries/statements per language

# --------------------------------------------------------------------------------------------
# Chinese
# --------------------------------------------------------------------------------------------

ZH_OPENERS = ["", "", "", "请问", "麻烦问下", "你好，", "您好，", "亲，", "我想问一下", "想咨询一下",
              "打扰一下，", "问一下", "在吗？", "客服你好，", "hello，", "你好呀，", "麻烦您，"]  # fmt: skip
ZH_OBJECTS = ["订单", "发货", "快递", "物流", "退款", "退货", "换货", "发票", "收货地址", "尺码",
              "颜色", "型号", "优惠券", "会员", "积分", "保修", "安装", "密码", "账号", "运费",
              "包裹", "售后", "赠品", "库存", "价格", "规格", "配件", "说明书", "定金", "尾款",
              "快递单号", "维修", "自提", "预约", "验证码", "绑定手机", "支付方式", "分期", "保价",
              "以旧换新", "配送时间", "退款进度", "上门取件", "电子发票", "收货人", "门店"]  # fmt: skip
ZH_PRODUCTS = ["这款", "这件衣服", "这双鞋", "这个手机壳", "这台洗衣机", "这个冰箱", "这个耳机",
               "这个杯子", "这个背包", "这款电脑", "这套餐具", "这个台灯", "这个面霜", "这款净水器",
               "这个路由器", "这张床垫", "这个键盘", "这款奶粉", "这个插座", "这个显示器"]  # fmt: skip
ZH_ATTRS = ["白色", "大码", "现货", "赠品", "保修卡", "充电器", "中文说明", "发票", "其他颜色",
            "小一号的", "国行版", "防水功能", "静音模式", "延保服务", "安装服务", "替换装"]  # fmt: skip
ZH_ACTS = ["办理", "查询", "修改", "申请", "处理", "确认", "取消", "查看", "更换", "开通", "设置", "填写"]
ZH_WHEN = ["什么时候", "几号", "大概哪天", "多久", "几天"]
ZH_Q_TEMPLATES = [
    "{o}怎么{a}{e1}", "{o}在哪里{a}{e1}", "{o}什么时候能{a}{e1}", "{o}{w}能好{e1}",
    "能不能帮我{a}一下{o}{e2}", "可以{a}{o}{e2}", "我想{a}{o}", "我要{a}一下{o}",
    "{o}需要什么手续{e1}", "{o}有什么要求{e1}", "{o}可以改{e2}", "怎么查{o}{e1}",
    "{o}的流程是什么{e1}", "{o}是怎么算的{e1}", "{o}要多长时间{e1}", "{o}能开{e2}",
    "帮我看一下{o}", "麻烦帮我{a}{o}", "{o}这块谁负责{e1}", "{o}是自动的{e2}",
    "{o}有没有{w}的规定{e1}", "关于{o}想问一下", "{o}在哪个页面{e1}", "{o}要填什么{e1}",
]  # fmt: skip
ZH_P_TEMPLATES = [
    "{p}有{t}{e2}", "{p}有没有{t}{e1}", "{p}支持{t}{e2}", "{p}是{t}{e2}", "{p}送{t}{e2}",
    "{p}{w}能到{e1}", "{p}适合几岁的孩子{e1}", "{p}多大尺寸{e1}", "{p}怎么用{e1}", "{p}能退{e2}",
    "{p}和另外一款哪个好{e1}", "{p}什么材质{e1}", "{p}保修几年{e1}", "{p}需要自己装{e2}",
]  # fmt: skip
ZH_E1 = ["？", "？", "", "呢", "呢？", "。"]
ZH_E2 = ["吗", "吗？", "吗？", "？", "么", "不"]
ZH_CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "重庆", "苏州", "长沙"]
ZH_PLACES = ["朝阳区建国路", "浦东新区张江路", "天河区体育西路", "南山区科技园", "西湖区文三路",
             "武侯区人民南路", "洪山区珞喻路", "鼓楼区中山路", "雁塔区小寨", "渝中区解放碑"]  # fmt: skip
ZH_STATEMENTS = [
    "我的订单号是{n}", "订单号{n}", "单号：{n}", "快递单号是{n}", "我是{d}下的单", "{d}买的",
    "地址是{c}{pl}{k}号", "收货地址改成{c}{pl}{k}号", "收件人手机{ph}", "我的账号是{ph}",
    "我已经{a}了", "刚刚{a}了{o}", "我把{o}截图发给你了", "{o}的截图在这里", "订单{n}，{d}付的款",
    "我在{c}", "下午{h}点以后家里有人", "放快递柜就行", "放门口就可以", "周{wd}送也可以",
    "我是{d}在门店买的", "发票抬头是个人", "我已经提交了{o}申请", "{o}我已经填好了", "我用的是{ph2}",
    "我下单的时候备注了{o}", "{o}这边我已经看过了", "{d}那天联系过你们", "我是老会员了，账号{ph}",
]  # fmt: skip
ZH_SHORT = ["你好", "您好", "在吗", "在吗？", "有人吗", "好的", "收到", "嗯", "嗯嗯", "明白",
            "知道了", "行", "可以", "稍等", "稍等一下", "好", "ok", "我看看", "我再看看", "那我等一下",
            "好的，我去试试", "好的我看一下", "我再想想", "了解", "没问题", "对的", "是的", "不是",
            "我查一下", "等我一会", "我问问家里人", "那就这样吧", "嗯，我在", "我刚看到消息",
            "在的", "喂", "你好客服", "好的，那我先下单", "我先去拍照", "我问一下快递员"]  # fmt: skip

# A domain lexicon of clear support sentiment (short rows, like the VADER rows for English).
ZH_POSITIVE = ["解决了", "问题解决了", "已经解决了", "很满意", "非常满意", "谢谢你们", "感谢耐心解答",
               "服务很好", "态度很好", "客服很耐心", "处理很及时", "回复很快", "效率很高", "很专业",
               "辛苦了", "点赞", "好评", "五星好评", "太棒了", "给力", "靠谱", "很贴心", "到账了",
               "退款到账了", "收到了，谢谢", "修好了", "可以正常使用了", "恢复正常了", "好了，谢谢",
               "帮大忙了", "下次还来", "推荐", "非常感谢", "谢谢，很满意", "服务周到", "售后很好",
               "客服很负责", "问题处理得很好", "很快就到了", "发货很快", "物流很快", "包装很好",
               "质量很好", "和描述一样", "超出预期", "很喜欢", "体验很好", "耐心", "热情"]  # fmt: skip
# Plain review praise. Alone these are one or two words, which the TF-IDF norm floor shrinks toward
# the neutral band, so they are repeated (`PRAISE_REPEAT`) to get weights large enough to count.
PRAISE_REPEAT = 6
ZH_PRAISE = ["好评", "好评！", "给好评", "给个好评", "必须好评", "必须给好评", "五星", "五星！", "五星好评！",
             "点赞", "赞", "点个赞", "必须点赞", "满意", "满意！", "挺满意", "挺好", "挺好的", "很好",
             "不错", "很不错", "实惠", "性价比高", "物美价廉", "会回购", "还会再买", "还会再点",
             # 卫生 alone is a topic of complaints ("卫生差"); 干净卫生 is praise
             "干净卫生", "干净又卫生", "包装干净卫生", "餐盒干净卫生",
             # portions: "a lot of food" is praise in food reviews ("量太大" is not a complaint)
             "量大", "量很大", "量足", "量很足", "分量足", "分量很足", "份量足", "份量很足",
             "量大实惠", "够吃", "很够吃", "量太大了", "量太大，吃不完", "一个人吃不完",
             "两个人吃都够", "一个菜够两个人吃", "够2人吃", "分量多"]  # fmt: skip
# Mild verdicts: neither praise nor complaint (neutral rows; the Chinese model is three-class).
ZH_MILD = ["还行", "还行吧", "还可以", "还可以吧", "凑合", "凑合吧", "马马虎虎", "过得去", "中规中矩"]
ZH_NEGATIVE = ["太慢了", "没人回复", "没人理", "投诉", "差评", "退款一直没到账", "钱还没到账",
               "一直没发货", "迟迟不发货", "没解决", "还是没解决", "问题没解决", "等了好久",
               "等了半天", "催了好几次", "骗人", "虚假宣传", "坏了", "破损", "漏发", "发错了",
               "少发了", "不能用", "用不了", "闪退", "重复扣费", "乱扣费", "态度差", "态度恶劣",
               "敷衍", "推卸责任", "踢皮球", "不理人", "不回消息", "挂电话", "失望", "垃圾",
               "再也不买了", "要求赔偿", "举报", "消协", "12315", "一拖再拖", "延误", "丢件",
               "没收到货", "质量问题", "太差了", "气死了", "无语", "离谱", "坑人", "忽悠",
               "答非所问", "机器人回复", "说话不算数", "不给退", "拒绝退款", "扯皮", "耽误事"]  # fmt: skip
ZH_NEG_PREDS = ["一直没处理", "到现在还没弄好", "太慢了", "又出问题了", "等了一个礼拜了", "还是不行",
                "又出错了", "搞了好几天都没好", "没人管", "一直拖着", "根本没用", "说好的又变卦了",
                "迟迟没有消息", "处理得太差了", "一点进展都没有", "让人很失望"]  # fmt: skip
ZH_POS_PREDS = ["处理得很快", "很顺利", "已经搞定了，谢谢", "没问题了", "很方便", "办得很快，满意",
                "一下就弄好了", "比想象中快", "解决得很好", "很省心"]  # fmt: skip


def _zh_number(rng: random.Random) -> str:
    return str(rng.randint(10**3, 10**12 - 1))


def _zh_date(rng: random.Random) -> str:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    fixed = ["昨天", "前天", "上周", "上个月", "周一", "今天上午", "大前天"]
    return rng.choice([f"{month}月{day}号", f"{month}月{day}日", *fixed])


def _zh_neutral(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        t = rng.choice(ZH_Q_TEMPLATES)
        body = t.format(o=rng.choice(ZH_OBJECTS), a=rng.choice(ZH_ACTS), w=rng.choice(ZH_WHEN),
                        e1=rng.choice(ZH_E1), e2=rng.choice(ZH_E2))  # fmt: skip
        return rng.choice(ZH_OPENERS) + body
    if kind < 0.7:
        t = rng.choice(ZH_P_TEMPLATES)
        body = t.format(p=rng.choice(ZH_PRODUCTS), t=rng.choice(ZH_ATTRS), w=rng.choice(ZH_WHEN),
                        e1=rng.choice(ZH_E1), e2=rng.choice(ZH_E2))  # fmt: skip
        return rng.choice(ZH_OPENERS) + body
    if kind < 0.92:
        return rng.choice(ZH_STATEMENTS).format(
            n=_zh_number(rng), d=_zh_date(rng), c=rng.choice(ZH_CITIES), pl=rng.choice(ZH_PLACES),
            k=rng.randint(1, 999), ph=f"1{rng.randint(3, 9)}{rng.randint(0, 10**9 - 1):09d}",
            ph2=rng.choice(["安卓手机", "苹果手机", "华为手机", "电脑网页版", "小程序"]),
            a=rng.choice(["付款", "下单", "提交", "寄回", "拍照", "登录", "重启", "申请"]),
            o=rng.choice(ZH_OBJECTS), h=rng.randint(1, 6), wd=rng.choice("一二三四五六日"),
        )  # fmt: skip
    return rng.choice(ZH_SHORT)


# Notices, news, forecasts, plans and diary lines: statements of fact from outside a support chat
# (a lead's history holds forwarded notices and posts too). Without them the three-class model
# read any non-support statement as praise ("明天有大雨，出门记得带伞" positive at 0.90). Words that
# praise in reviews (准时, 按时, 提前, 及时, 欢迎) stay out of them: "配送准时" is praise.
N_NOTICE = 600
ZH_DAYS = ["今天", "明天", "后天", "今晚", "明早", "本周六", "下周一", "周五", "这个周末", "月底",
           "下个月", "{m}月{d}日", "{m}月{d}号", "国庆期间", "元旦前"]  # fmt: skip
ZH_TIMES = ["上午九点", "下午两点", "晚上八点", "早上七点半", "中午十二点", "下午三点到五点", "晚上十点以后",
            "{h}点", "{h}点半", "九点前"]  # fmt: skip
ZH_WEATHER = ["有小雨", "有中到大雨", "多云", "晴转多云", "有雷阵雨", "有小雪", "降温", "有五级大风",
              "气温回升", "有雾", "阴天"]  # fmt: skip
ZH_REMIND = ["记得带伞", "注意保暖", "多穿点衣服", "注意防晒", "带好雨具", "注意交通安全", "早点出门"]
ZH_ORGS = ["小区", "物业", "学校", "公司", "社区", "学院", "门店", "图书馆", "居委会", "部门"]
ZH_EVENTS = ["停水", "停电检修", "开会", "消防演练", "电梯维修", "放假", "体检", "搬迁", "系统维护",
             "燃气检查", "开学", "年终总结会", "换届选举", "团建"]  # fmt: skip
ZH_WHO = ["各位", "大家", "全体员工", "各位业主", "同学们", "各部门负责人", "居民朋友们"]
ZH_DO = ["参加", "做好准备", "互相转告", "带好证件", "带好身份证", "储水备用", "留意通知"]
ZH_SOURCES = ["据报道", "据悉", "新华社消息", "官方消息", "记者获悉", "最新消息", "据统计"]
ZH_FACTS = ["{y}年全国{thing}同比增长{x}%", "{thing}比去年同期下降{x}%", "{city}{thing}达到{n}万人",
            "{city}地铁{k}号线{day}开通", "{city}{day}起实行新的{rule}", "{thing}{y}年预计增长{x}%",
            "{city}发布{rule}", "{y}年{thing}为{n}万人"]  # fmt: skip
ZH_THINGS = ["居民消费", "社会消费品零售总额", "快递业务量", "出境游人数", "新能源汽车销量", "常住人口",
             "高校毕业生人数", "粮食产量", "电影票房", "客流量"]  # fmt: skip
ZH_RULES = ["垃圾分类办法", "停车收费标准", "公积金政策", "交通管制措施", "户籍政策", "供暖安排"]
ZH_COMPANIES = ["某手机品牌", "一家车企", "这家公司", "该平台", "某电商平台", "主办方", "官方"]
ZH_LAUNCH = ["举行新品发布会", "发布新款手机", "正式开业", "上线新版本", "召开股东大会", "开放预约",
             "开始售票", "公布名单"]  # fmt: skip
ZH_PLACES2 = ["银行", "超市", "医院", "健身房", "图书馆", "菜市场", "邮局", "驾校", "理发店", "公园"]
ZH_DID = ["办了点事", "买了点菜", "复查", "借了两本书", "取了个件", "剪了头发", "交了水电费", "散步"]
ZH_SPORT = ["跑步", "快走", "游泳", "骑车", "跳绳"]
ZH_VENUES = ["体育馆", "公司楼下", "老地方", "地铁站口", "学校门口", "会议室", "三楼大厅"]
ZH_NOTICE_TEMPLATES = [
    "{city}{day}{weather}", "{day}{weather}，出门{remind}", "天气预报说{day}{weather}",
    "{city}{day}{weather}，最高气温{t1}度，最低气温{t2}度", "{day}{weather}，{remind}",
    "{org}通知：{day}{time}{event}", "{day}{time}{event}，请{who}{do}", "【{org}通知】{day}{event}",
    "{src}，{fact}", "{fact}", "{company}将于{day}{launch}", "{company}宣布{day}{launch}",
    "{day}去{place}{did}", "{day}{time}去{place}{did}", "记录一下：{day}{sport}{n2}公里",
    "{day}{time}在{venue}见", "{day}{time}，{venue}集合", "{day}{time}{venue}有讲座",
    "{day}{time}{event}", "{city}{day}{event}", "{day}要{event}，{remind}",
]  # fmt: skip


def _zh_notice(rng: random.Random) -> str:
    m, d = rng.randint(1, 12), rng.randint(1, 28)
    day = rng.choice(ZH_DAYS).format(m=m, d=d)
    fact = rng.choice(ZH_FACTS).format(
        y=rng.randint(2015, 2025), thing=rng.choice(ZH_THINGS), x=round(rng.uniform(0.5, 15), 1),
        city=rng.choice(ZH_CITIES), n=rng.randint(10, 3000), k=rng.randint(1, 20), day=day,
        rule=rng.choice(ZH_RULES),
    )  # fmt: skip
    return rng.choice(ZH_NOTICE_TEMPLATES).format(
        city=rng.choice(ZH_CITIES), day=day, weather=rng.choice(ZH_WEATHER), remind=rng.choice(ZH_REMIND),
        t1=rng.randint(10, 35), t2=rng.randint(-10, 9), org=rng.choice(ZH_ORGS),
        time=rng.choice(ZH_TIMES).format(h=rng.randint(1, 11)), event=rng.choice(ZH_EVENTS),
        who=rng.choice(ZH_WHO), do=rng.choice(ZH_DO), src=rng.choice(ZH_SOURCES), fact=fact,
        company=rng.choice(ZH_COMPANIES), launch=rng.choice(ZH_LAUNCH), place=rng.choice(ZH_PLACES2),
        did=rng.choice(ZH_DID), sport=rng.choice(ZH_SPORT), n2=rng.randint(2, 15), n3=rng.randint(12, 90),
        venue=rng.choice(ZH_VENUES),
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# English
# --------------------------------------------------------------------------------------------

EN_OPENERS = ["", "", "", "hi, ", "hello, ", "hey, ", "hi there, ", "good morning, ", "quick question: ",
              "excuse me, ", "hello team, "]  # fmt: skip
EN_OBJECTS = ["order", "delivery", "shipment", "package", "refund", "return", "exchange", "invoice",
              "address", "size", "color", "model", "coupon", "voucher", "membership", "points",
              "warranty", "installation", "password", "account", "shipping fee", "subscription",
              "plan", "billing date", "payment method", "tracking number", "receipt", "username",
              "email address", "phone number", "delivery slot", "license", "api key", "profile",
              "gift card", "pickup time", "serial number", "reservation"]  # fmt: skip
EN_ACTS = ["change", "update", "check", "find", "cancel", "reset", "add", "remove", "transfer", "renew",
           "confirm", "set up", "edit", "view", "track", "download", "apply"]  # fmt: skip
EN_Q_TEMPLATES = [
    "how do i {a} my {o}{q}", "can i {a} my {o}{q}", "where can i {a} the {o}{q}", "where is my {o}{q}",
    "is it possible to {a} the {o}{q}", "could you {a} my {o} please{q}", "i'd like to {a} my {o}",
    "i want to {a} my {o}", "i need to {a} the {o}", "what's the status of my {o}{q}",
    "when will my {o} be ready{q}", "how long does the {o} take{q}", "do you {a} {o}s{q}",
    "who do i contact about my {o}{q}", "what do i need to {a} my {o}{q}", "is there a way to {a} the {o}{q}",
    "can you help me {a} my {o}{q}", "how can i {a} the {o}{q}", "what happens to my {o} if i move{q}",
    "which {o} do i need{q}", "does the {o} include tax{q}", "please {a} the {o} for me",
]  # fmt: skip
EN_PRODUCTS = ["this jacket", "the blender", "the x2 router", "this phone case", "the desk lamp", "the sofa",
               "this backpack", "the 27 inch monitor", "this kettle", "the kids bike", "this mattress",
               "the wireless keyboard", "this printer", "the smart watch", "the coffee machine"]  # fmt: skip
EN_P_TEMPLATES = [
    "does {p} come in {t}{q}", "is {p} available in {t}{q}", "does {p} have {t}{q}", "what size is {p}{q}",
    "how heavy is {p}{q}", "is {p} in stock{q}", "does {p} need assembly{q}", "what's the warranty on {p}{q}",
    "can {p} be shipped abroad{q}", "what material is {p}{q}", "how do i clean {p}{q}",
]  # fmt: skip
EN_ATTRS = ["black", "a larger size", "blue", "a uk plug", "a smaller version", "grey", "a two pack",
            "a travel case", "a usb-c port", "bluetooth"]  # fmt: skip
EN_STATEMENTS = [
    "my order number is {n}", "order #{n}", "order {n}", "ticket {n}", "the tracking number is {n}",
    "i placed the order on {d}", "i ordered it on {d}", "my email is {u}@example.com", "my username is {u}",
    "the address is {k} {st} street, {city}", "please ship it to {k} {st} street", "it's the {o} from {d}",
    "i'm in {city}", "i'll be home after {h} pm", "you can leave it at the front desk",
    "i sent the photos by email", "i've attached a screenshot of the {o}", "i already submitted the {o} form",
    "i'm using the {dev}", "the invoice should go to my company", "i called on {d} about my {o}",
    "the last four digits are {k4}", "i bought it in store on {d}", "the serial number is {n}",
    "i'm writing about my {o}", "following up on ticket {n}", "the {o} is under my work email",
]  # fmt: skip
EN_SHORT = ["hi", "hello", "hey", "hello?", "anyone there?", "ok", "okay", "sure", "got it", "noted",
            "understood", "one moment", "give me a second", "let me check", "yes", "no", "yes please",
            "i see", "alright", "ok i'll try that", "i'll check and come back", "hold on", "will do",
            "that's all for now", "one more question", "let me look", "ok, i'll wait", "sure, go ahead",
            "just a sec", "morning"]  # fmt: skip
EN_Q = ["?", "?", "?", "", "."]

EN_POSITIVE = ["thanks, that fixed it", "that fixed it", "it works now", "works now, thanks",
               "problem solved", "issue resolved", "great support", "very helpful",
               "quick response", "you sorted it out", "appreciate your help", "you're a lifesaver",
               "fast shipping", "arrived on time", "smooth process", "excellent service",
               "thank you so much", "thanks for the quick help", "super fast refund",
               "refund received, thanks", "all good now", "working perfectly now", "great job",
               "very patient agent", "friendly and helpful", "happy with the result",
               "much appreciated", "resolved quickly", "perfect, thanks", "amazing support team",
               "glad it's fixed", "thanks for your patience", "love it", "five stars", "well done",
               "above and beyond", "really helpful", "everything works", "fixed, thank you",
               "brilliant", "satisfied", "very satisfied", "highly recommend", "thumbs up",
               "good job", "5 stars", "kudos to the team"]  # fmt: skip
EN_NEGATIVE = ["keeps crashing", "crashing", "app crashing", "it crashed", "crashes", "broken",
               "still not working", "not working", "doesn't work", "refund never arrived",
               "never received my order", "still waiting", "no response", "nobody replied",
               "nobody answers", "cancel my subscription", "charged twice", "overcharged",
               "on hold for an hour", "waste of time", "useless", "terrible support",
               "arrived damaged", "missing items", "wrong item", "late again", "delayed again",
               "keeps failing", "logs me out", "can't log in", "unacceptable", "ridiculous",
               "frustrated", "chargeback", "scam", "never again", "worst service", "not fixed",
               "still broken", "hung up on me", "no one helped", "still no refund",
               "lost my package", "won't load", "error again", "disappointed", "fed up",
               "this is a joke", "want my money back", "stopped working", "cracked", "defective",
               "faulty", "leaking", "ignored", "rude agent", "copy paste answer"]  # fmt: skip
EN_SUBJECTS = ["the app", "my order", "the website", "my account", "the package", "the refund",
               "the device", "the update", "the charger", "my subscription", "the delivery",
               "the login", "the printer"]  # fmt: skip
EN_NEG_PREDS = ["still hasn't arrived", "is broken again", "stopped working", "keeps failing",
                "never showed up", "is still not fixed", "has been stuck for days",
                "crashes every time", "is a mess", "was damaged", "keeps logging me out",
                "charged me twice"]  # fmt: skip
EN_POS_PREDS = ["works perfectly now", "arrived early, thanks", "is fixed, thank you", "was sorted quickly",
                "is working great", "came through, much appreciated"]  # fmt: skip


def _en_neutral(rng: random.Random) -> str:
    kind = rng.random()
    q = rng.choice(EN_Q)
    if kind < 0.5:
        body = rng.choice(EN_Q_TEMPLATES).format(a=rng.choice(EN_ACTS), o=rng.choice(EN_OBJECTS), q=q)
        return rng.choice(EN_OPENERS) + body
    if kind < 0.65:
        body = rng.choice(EN_P_TEMPLATES).format(p=rng.choice(EN_PRODUCTS), t=rng.choice(EN_ATTRS), q=q)
        return rng.choice(EN_OPENERS) + body
    if kind < 0.9:
        return rng.choice(EN_STATEMENTS).format(
            n=rng.randint(1000, 99_999_999),
            d=rng.choice(["monday", "tuesday", "friday", "march 3", "the 12th", "last week", "june 21"]),
            u=rng.choice(["jlee", "m.garcia", "sam_k", "opsteam", "anna.b", "dchen92"]),
            k=rng.randint(1, 999), st=rng.choice(["oak", "main", "high", "park", "elm", "king"]),
            city=rng.choice(["leeds", "austin", "toronto", "dublin", "denver", "sydney"]),
            o=rng.choice(EN_OBJECTS), h=rng.randint(1, 7), k4=f"{rng.randint(0, 9999):04d}",
            dev=rng.choice(["android app", "iphone app", "web version", "windows app", "ipad"]),
        )  # fmt: skip
    return rng.choice(EN_SHORT)


# --------------------------------------------------------------------------------------------


def neutral_rows(lang: str, n: int | None = None) -> list[tuple[str, str]]:
    """`n` distinct generated neutral inquiries/statements in `lang` ("zh" or "en")."""
    n = n or N_NEUTRAL[lang]
    rows = _distinct(lang, "neutral", _zh_neutral if lang == "zh" else _en_neutral, n)
    if lang == "zh":
        rows += _distinct(lang, "notice", _zh_notice, N_NOTICE, exclude=set(rows))
    return [(t, "neutral") for t in rows]


def _distinct(
    lang: str, stream: str, make: Callable[[random.Random], str], n: int, exclude: Collection[str] = ()
) -> list[str]:
    """`n` distinct texts from `make`, from their own fixed-seed stream (adding a stream leaves the
    others' rows unchanged)."""
    rng = random.Random(f"{SEED}-{lang}-{stream}")
    seen: dict[str, None] = {}
    for _ in range(n * 20):
        text = make(rng).strip()
        if lang == "en" and rng.random() < 0.6:
            text = text[:1].upper() + text[1:]
        if detect_lang(text) == lang and text not in exclude:  # training routes rows by language
            seen.setdefault(text, None)
        if len(seen) >= n:
            break
    return list(seen)


def lexicon_rows(lang: str) -> list[tuple[str, str]]:
    """The domain lexicon plus service objects with clear predicates, as positive/negative rows
    (and, for Chinese, mild verdicts as neutral rows)."""
    rng = random.Random(f"{SEED}-{lang}-lexicon")
    rows: list[tuple[str, str]] = []
    if lang == "zh":
        rows += [(w, "positive") for w in ZH_POSITIVE] + [(w, "negative") for w in ZH_NEGATIVE]
        rows += [(w, "positive") for w in ZH_PRAISE] * PRAISE_REPEAT
        rows += [(w, "neutral") for w in ZH_MILD]
        for obj in ZH_OBJECTS:
            rows.append((obj + rng.choice(ZH_NEG_PREDS), "negative"))
            rows.append((obj + rng.choice(ZH_POS_PREDS), "positive"))
    else:
        rows += [(w, "positive") for w in EN_POSITIVE] + [(w, "negative") for w in EN_NEGATIVE]
        for subj in EN_SUBJECTS:
            rows.append((f"{subj} {rng.choice(EN_NEG_PREDS)}", "negative"))
            rows.append((f"{subj} {rng.choice(EN_POS_PREDS)}", "positive"))
    return rows


def all_rows() -> Iterator[tuple[str, str]]:
    for lang in ("zh", "en"):
        yield from neutral_rows(lang)
        yield from lexicon_rows(lang)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sample", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(0)
    for lang in ("zh", "en"):
        neu, lex = neutral_rows(lang), lexicon_rows(lang)
        print(f"{lang}: {len(neu)} neutral rows, {len(lex)} lexicon rows")
        for text, label in rng.sample(neu, min(args.sample, len(neu))) + rng.sample(lex, min(5, len(lex))):
            print(f"  {label}\t{text}")


if __name__ == "__main__":
    main()
