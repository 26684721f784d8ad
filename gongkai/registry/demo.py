"""The demo city: a deterministic, realistic 聊城 for ``gongkai load-demo`` and the benchmarks.

Two halves:

* :class:`DemoCity` is the generator. It reads no database: the same ``seed`` and ``as_of`` always
  give the same records, on any machine. Entities come in chunks of :data:`CHUNK_SIZE`, each drawn
  from its own ``random.Random`` seeded by (generator version, seed, chunk number), so the stream
  never holds more than one chunk and record *i* does not depend on how many follow it. Dates are
  offsets from ``as_of`` (today by default), so certificates that "expire next month" still do when
  the demo is loaded a year later.
* :func:`demo_city_load` writes a city into an empty register: staff demo accounts, entities
  (through :func:`gongkai.registry.services.entities_upsert`, audited per entity), officers and
  declared conflicts, then a marker event that ``gongkai demo-logins`` looks for. For benchmark
  scale (10⁶–10⁷ entities) ``bulk=True`` writes the same rows straight into the tables (COPY on
  PostgreSQL) with one audit event per chunk instead of one per entity; see that function.

All names, addresses and numbers are invented. Town and road names are real-sounding for each
district, so the demo reads like the city, but no record describes a real business or person.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import operator
import random
import time
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gongkai.inspectors.records import OfficerRecord
from gongkai.registry import creditcode
from gongkai.registry.choices import AddressKind, CreditRiskClass, EntityStatus, EntityType
from gongkai.registry.records import AddressRecord, EntityRecord

# Bump when the generator's output changes for a given seed (it is part of every chunk's seed).
GENERATOR_VERSION = 1
DEFAULT_SEED = 2025
DEFAULT_ENTITIES = 20_000
CHUNK_SIZE = 10_000
HOST_COUNT = 20
DEMO_ACTOR = "gongkai load-demo"

# --- What the demo's staff accounts are (demo database only; never created by migrations) ------

# The password is public on purpose: it is printed by ``gongkai demo-logins`` and in the README.
DEMO_PASSWORD = "gongkai-demo"
# username, role (a group of gongkai.core.roles), display name, unit, district limit
DEMO_ACCOUNTS: list[tuple[str, str, str, str, str]] = [
    ("demo-admin", "系统管理员", "孙立新", "聊城市市场监督管理局办公室", ""),
    ("demo-registry", "名录库管理员", "王秀英", "聊城市市场监督管理局信用监督管理科", ""),
    ("demo-planner", "抽查计划员", "李建国", "聊城市市场监督管理局执法稽查科", ""),
    ("demo-inspector", "执法检查人员", "张海峰", "古楼市场监管所", "371502"),
    ("demo-reviewer", "信息公开审核员", "刘静", "聊城市市场监督管理局办公室", ""),
    ("demo-messages", "留言办理员", "赵敏", "聊城市市场监督管理局消费者权益保护科", ""),
    ("demo-opengov", "政府信息公开工作机构负责人", "陈光明", "聊城市市场监督管理局办公室", ""),
    ("demo-case", "案件承办人", "周志强", "聊城市市场监督管理局执法稽查科", ""),
    ("demo-policy", "政策兑现专员", "何晓燕", "聊城市政策兑现服务中心", ""),
    ("demo-policy-review", "政策规则审核员", "马文涛", "聊城市政策兑现服务中心", ""),
    ("demo-talent-service", "人才服务专员", "高洁", "中共聊城市委人才工作领导小组办公室", ""),
]
# The audit event that marks a demo database (object_type/object_id hit the audit object index).
MARKER_TYPE = "core.demo"
MARKER_ID = "demo-city"
MARKER_ACTION = "core.demo.load"

# A small, consistent catalogue of inspection items for officers' qualifications. The real
# 随机抽查事项清单 is data of the inspections app; these codes only have to be stable in the demo.
INSPECTION_ITEMS: list[tuple[str, str, str]] = [
    ("SCJG-QY-01", "企业公示信息检查", "SCJG"),
    ("SCJG-QY-02", "登记事项检查（住所、经营场所）", "SCJG"),
    ("SCJG-SP-01", "食品销售者检查", "SCJG"),
    ("SCJG-SP-02", "餐饮服务提供者检查", "SCJG"),
    ("SCJG-SP-03", "食品生产者检查", "SCJG"),
    ("SCJG-TS-01", "特种设备使用单位检查", "SCJG"),
    ("SCJG-ZL-01", "生产领域产品质量检查", "SCJG"),
    ("SCJG-JL-01", "计量器具检查", "SCJG"),
    ("WSJK-GG-01", "公共场所卫生检查", "WSJK"),
    ("STHJ-PW-01", "排污单位检查", "STHJ"),
    ("YJGL-AQ-01", "工贸企业安全生产检查", "YJGL"),
    ("NYNC-NZ-01", "农资经营检查", "NYNC"),
    ("SW-FP-01", "发票使用检查", "SW"),
]


# ================================================================================================
# Tables. Shares are rough figures for a Shandong prefecture city (个体工商户 about two thirds of
# all market entities); they only have to make the demo look like the city, not match statistics.
# ================================================================================================


class _Picker:
    """Weighted choice with one ``random()`` and a bisection (much cheaper than ``choices``)."""

    __slots__ = ("cum", "items")

    def __init__(self, items: Sequence[Any], weights: Sequence[float]):
        pairs = [(item, w) for item, w in zip(items, weights, strict=True) if w > 0]
        total = sum(w for _, w in pairs)
        self.items = [item for item, _ in pairs]
        acc, cum = 0.0, []
        for _, w in pairs:
            acc += w / total
            cum.append(acc)
        cum[-1] = 1.0
        self.cum = cum

    def __call__(self, u: float) -> Any:
        return self.items[bisect_right(self.cum, u)]


@dataclass(frozen=True)
class _Town:
    name: str
    is_street: bool  # 街道 (urban: 社区 and city roads) or 镇/乡 (rural: 村)

    @property
    def short(self) -> str:
        for suffix in ("街道", "镇", "乡"):
            if self.name.endswith(suffix):
                return self.name[: -len(suffix)]
        return self.name


@dataclass(frozen=True)
class _District:
    code: str
    in_address: str  # how the district is written after 山东省聊城市
    in_name: str  # how it opens an entity's name (个体工商户, 合作社)
    short: str  # in a branch's name: 临清分公司
    authority: str  # 登记机关
    share: float
    towns: tuple[_Town, ...]
    roads: tuple[str, ...]
    # Local industries: division → weight multiplier (临清 bearings, 阳谷 cables, 冠县 pears…)
    specialities: dict[str, float] = field(default_factory=dict)


def _towns(streets: str, towns: str) -> tuple[_Town, ...]:
    return tuple(_Town(n, True) for n in streets.split()) + tuple(_Town(n, False) for n in towns.split())


DISTRICTS: tuple[_District, ...] = (
    _District(
        "371502",
        "东昌府区",
        "东昌府区",
        "东昌府",
        "聊城市东昌府区市场监督管理局",
        0.24,
        _towns(
            "古楼街道 柳园街道 新区街道 湖西街道 道口铺街道 阎寺街道 北城街道",
            "侯营镇 堂邑镇 斗虎屯镇 郑家镇 张炉集镇",
        ),
        (
            "东昌路",
            "柳园路",
            "花园路",
            "建设路",
            "兴华路",
            "振兴路",
            "光岳路",
            "卫育路",
            "湖南路",
            "昌润路",
            "利民路",
            "向阳路",
            "站前街",
            "古楼东大街",
            "龙山街",
        ),
        {"33": 3.0, "36": 2.0},
    ),
    _District(
        "371503",
        "茌平区",
        "茌平区",
        "茌平",
        "聊城市茌平区市场监督管理局",
        0.09,
        _towns(
            "振兴街道 信发街道 温陈街道",
            "乐平铺镇 冯官屯镇 菜屯镇 博平镇 杜郎口镇 韩屯镇 胡屯镇 肖家庄镇 贾寨镇",
        ),
        ("新政路", "中心街", "文化路", "府前街", "富民路", "工业路", "铝城路", "昌盛路"),
        {"32": 6.0, "30": 2.0},
    ),
    _District(
        "371581",
        "临清市",
        "临清市",
        "临清",
        "临清市市场监督管理局",
        0.12,
        _towns(
            "青年路街道 新华路街道 先锋路街道 大辛庄街道",
            "松林镇 老赵庄镇 康庄镇 魏湾镇 刘垓子镇 八岔路镇 潘庄镇 烟店镇 唐园镇 金郝庄镇 戴湾镇 尚店镇",
        ),
        (
            "永青路",
            "青年路",
            "新华路",
            "先锋路",
            "大众路",
            "红星路",
            "温泉路",
            "商业街",
            "考棚街",
            "鳌头矶街",
        ),
        {"34": 6.0, "17": 3.0},
    ),
    _District(
        "371521",
        "阳谷县",
        "阳谷县",
        "阳谷",
        "阳谷县市场监督管理局",
        0.10,
        _towns(
            "侨润街道 博济桥街道 狮子楼街道",
            "阎楼镇 阿城镇 七级镇 安乐镇 定水镇 石佛镇 李台镇 寿张镇 十五里园镇 张秋镇 郭屯镇 西湖镇 大布乡",
        ),
        ("谷山路", "运河路", "清河路", "阳谷大道", "文化街", "紫石街", "振兴路", "金水路"),
        {"38": 6.0},
    ),
    _District(
        "371522",
        "莘县",
        "莘县",
        "莘县",
        "莘县市场监督管理局",
        0.12,
        _towns(
            "莘州街道 东鲁街道 燕塔街道",
            "张鲁回族镇 朝城镇 观城镇 古城镇 大张家镇 古云镇 十八里铺镇 燕店镇 董杜庄镇 王奉镇 樱桃园镇 "
            "河店镇 妹冢镇 魏庄镇 张寨镇 大王寨镇 徐庄镇 王庄集镇 柿子园镇",
        ),
        ("莘州路", "燕塔路", "东鲁路", "振兴街", "政府街", "雁塔街", "鸿运路", "富民街"),
        {"01": 2.5},
    ),
    _District(
        "371524",
        "东阿县",
        "东阿县",
        "东阿",
        "东阿县市场监督管理局",
        0.06,
        _towns("铜城街道 新城街道", "刘集镇 牛角店镇 大桥镇 高集镇 姜楼镇 姚寨镇 鱼山镇 陈集镇"),
        ("阿胶街", "曙光路", "少岩路", "东阿大道", "洛神路", "鱼山路", "东顺河街"),
        {"27": 8.0, "03": 2.0},
    ),
    _District(
        "371525",
        "冠县",
        "冠县",
        "冠县",
        "冠县市场监督管理局",
        0.09,
        _towns(
            "冠城镇 清泉街道 崇文街道 烟庄街道",
            "贾镇 桑阿镇 柳林镇 清水镇 东古城镇 北馆陶镇 店子镇 定远寨镇 辛集镇 梁堂镇 范寨镇 甘官屯镇 "
            "兰沃乡 斜店乡 万善乡",
        ),
        ("冠宜春路", "红旗路", "振兴路", "武训大道", "鸿图街", "建设街", "梨园路"),
        {"01": 2.0, "29": 2.0},
    ),
    _District(
        "371526",
        "高唐县",
        "高唐县",
        "高唐",
        "高唐县市场监督管理局",
        0.07,
        _towns(
            "鱼丘湖街道 汇鑫街道 人和街道",
            "梁村镇 尹集镇 清平镇 固河镇 三十里铺镇 琉璃寺镇 赵寨子镇 姜店镇 杨屯镇",
        ),
        ("金城路", "官道街", "时风路", "鱼丘湖路", "文化路", "鼓楼街", "光明路"),
        {"36": 4.0, "17": 3.0, "22": 3.0},
    ),
    _District(
        "371571",
        "经济技术开发区",
        "聊城经济技术开发区",
        "经济技术开发区",
        "聊城市市场监督管理局经济技术开发区分局",
        0.05,
        _towns("蒋官屯街道 东城街道", "广平乡"),
        ("黄河路", "长江路", "华山路", "嵩山路", "泰山路", "黄山路", "东昌东路", "中华路"),
        {"33": 3.0, "36": 3.0, "34": 2.0},
    ),
    _District(
        "371572",
        "高新技术产业开发区",
        "聊城高新技术产业开发区",
        "高新区",
        "聊城市市场监督管理局高新技术产业开发区分局",
        0.04,
        _towns("九州街道", "许营镇 顾官屯镇 韩集乡"),
        ("九州路", "松桂大街", "天津路", "伏城路", "光明路", "开发路"),
        {"65": 3.0, "75": 3.0, "38": 2.0},
    ),
    _District(
        "371573",
        "江北水城旅游度假区",
        "聊城市江北水城旅游度假区",
        "度假区",
        "聊城市市场监督管理局江北水城旅游度假区分局",
        0.02,
        _towns("李海务街道 凤凰街道", "于集镇 朱老庄镇"),
        ("湖南东路", "滨湖路", "凤凰路", "运河路", "香江路"),
        {"61": 4.0, "62": 1.5, "90": 3.0},
    ),
)
CITY_CODE = "371500"
CITY_AUTHORITY = "聊城市市场监督管理局"
DISTRICT_BY_CODE = {d.code: d for d in DISTRICTS}

# 社区 of 街道 and the parts of rural 村 names (王庄村, 东李楼村, 后孙屯村 …).
COMMUNITIES = tuple(
    [
        "光明",
        "幸福",
        "和平",
        "花园",
        "建设",
        "振兴",
        "东关",
        "西关",
        "南关",
        "北关",
        "湖滨",
        "运河",
        "民主",
        "新华",
        "兴华",
        "育新",
        "柳园",
        "龙山",
        "文轩",
        "水城",
        "昌润",
        "金柱",
        "铁塔",
        "站前",
        "东苑",
        "西苑",
        "阳光",
        "利民",
    ]
)
VILLAGE_PREFIXES = ("", "", "", "东", "西", "南", "北", "前", "后", "大", "小")
VILLAGE_SUFFIXES = tuple(["庄", "楼", "屯", "集", "寨", "营", "堂", "洼", "店", "口", "园", "桥", "庙", "坊"])
RURAL_ROADS = (
    "中心街",
    "前街",
    "后街",
    "东大街",
    "西大街",
    "南北大街",
    "顺河路",
    "工业路",
    "商业街",
    "府前路",
)
BUILDINGS = ("金融大厦", "财富中心", "创业大厦", "商务中心", "科技大厦", "总部基地", "国际大厦", "时代广场")

# Surnames by rough frequency in western Shandong.
_SURNAMES = [
    "王9",
    "李8",
    "张8",
    "刘6",
    "陈2",
    "杨3",
    "赵3",
    "孙3",
    "徐1.5",
    "马2",
    "高2",
    "朱1.5",
    "于1.5",
    "郭1.5",
    "何1",
    "宋1",
    "韩1.2",
    "曹1",
    "许1",
    "吴1",
    "董1",
    "程0.8",
    "田1",
    "魏1",
    "崔1",
    "冯1",
    "邢0.6",
    "贾0.8",
    "侯0.7",
    "齐0.6",
    "房0.5",
    "袁0.5",
    "范0.6",
    "姜0.7",
    "秦0.5",
    "周1",
    "任0.8",
    "耿0.4",
    "闫0.6",
    "靳0.4",
    "常0.5",
    "孟0.8",
    "付0.6",
    "丁0.6",
    "杜0.6",
    "石0.6",
    "谢0.5",
    "路0.4",
    "翟0.4",
    "尹0.4",
    "牛0.5",
    "岳0.4",
    "邵0.5",
    "申0.3",
    "史0.4",
    "黄0.6",
    "葛0.3",
    "苏0.4",
]
SURNAME = _Picker([s[0] for s in _SURNAMES], [float(s[1:]) for s in _SURNAMES])
SURNAMES = tuple(s[0] for s in _SURNAMES)
GIVEN_MALE = "建国军伟强磊勇刚涛明杰志海峰斌亮鹏辉华平东林文波宁超云飞庆祥德福广春成新立明凯洪振俊"
GIVEN_FEMALE = "秀英玲芳红霞燕丽敏静娟梅兰凤琴萍艳婷雪慧颖欣悦琳晶倩洁丹娜蕾"
# 字号: two characters, one from each pool (宏远, 鑫源, 瑞丰…), plus a few local favourites.
TRADE_FIRST = (
    "宏鑫华金瑞恒德鲁聊凤运光东鼎博嘉兴盛泰润昌富永旺丰顺通达信诚佳百万福和安宇天新中海阳明远凯腾翔隆祥"
)
TRADE_SECOND = "远源泰通达盛丰利昌隆发顺兴旺鑫宇润华诚信邦程瑞祥和晟辉泽越康元嘉硕航途锦茂"
TRADE_LOCAL = ("水城", "光岳", "运河", "东昌", "凤凰", "湖滨", "古楼", "江北", "鲁西", "铁塔")
MOBILE_PREFIXES = tuple(
    [
        "130",
        "131",
        "132",
        "133",
        "135",
        "136",
        "137",
        "138",
        "139",
        "150",
        "151",
        "152",
        "155",
        "156",
        "157",
        "158",
        "159",
        "176",
        "177",
        "178",
        "180",
        "181",
        "182",
        "183",
        "185",
        "186",
        "187",
        "188",
        "189",
        "198",
        "199",
    ]
)

# Industries: GB/T 4754 division, weights for (企业, 个体工商户, 农民专业合作社), words for the name
# of a company, a shop and a cooperative.
_INDUSTRIES: list[tuple[str, tuple[float, float, float], str, str, str]] = [
    (
        "51",
        (20, 8, 0),
        "商贸 贸易 农资 建材 医药 钢材 五金交电 粮油 日用品 机电设备",
        "批发部 粮油批发部 建材门市部 五金批发部 农资门市部",
        "",
    ),
    (
        "52",
        (12, 40, 0),
        "超市 百货 商贸 医药连锁 汽车销售 通讯器材",
        "超市 便利店 日用品店 烟酒店 水果店 服装店 五金店 手机店 母婴用品店 副食店 家电门市部 眼镜店 鞋店",
        "",
    ),
    (
        "62",
        (3, 15, 0),
        "餐饮管理 饮食服务 酒店管理",
        "水饺店 面馆 快餐店 烧烤店 小吃部 饭店 早餐店 熏鸡店 呱嗒铺 羊肉汤馆 火锅店 包子铺",
        "",
    ),
    ("61", (1, 1, 0), "酒店 宾馆管理", "宾馆 旅馆 家庭旅馆", ""),
    (
        "80",
        (2, 9, 0),
        "家政服务 洗涤服务 婚庆服务",
        "理发店 美发店 美容店 洗衣店 婚纱摄影部 家政服务部 浴池",
        "",
    ),
    ("81", (1, 5, 0), "汽车维修", "汽修部 家电维修部 修车铺 手机维修部", ""),
    ("54", (4, 4, 0), "物流 运输 货运", "货运部 运输部", ""),
    ("59", (0.5, 0, 0), "仓储 冷链物流", "", ""),
    ("58", (0.3, 0, 0), "货运代理", "", ""),
    ("13", (2, 1.5, 0.6), "食品 面粉 油脂 饲料", "面粉加工坊 榨油坊 豆腐坊", "粮食加工"),
    ("14", (1, 1, 0), "食品 糕点 调味品", "糕点坊 馒头房", ""),
    ("17", (1.5, 0.3, 0), "棉纺 纺织", "纺织加工部", ""),
    ("22", (0.4, 0, 0), "纸业 包装", "", ""),
    ("27", (0.3, 0, 0), "阿胶 药业 生物科技", "", ""),
    ("29", (0.7, 0.2, 0), "塑料制品 橡胶制品", "塑料加工部", ""),
    ("30", (0.5, 0, 0), "建材 新型建材", "", ""),
    ("32", (0.3, 0, 0), "铝业 铝材", "", ""),
    ("33", (2, 0.5, 0), "钢管 金属制品 钢结构", "铁艺加工部", ""),
    ("34", (2, 0.5, 0), "轴承 机械", "轴承经营部", ""),
    ("35", (1, 0, 0), "机械设备 农业机械", "", ""),
    ("36", (0.5, 0, 0), "汽车零部件 专用汽车", "", ""),
    ("38", (0.5, 0, 0), "电缆 电线电缆 电气", "", ""),
    ("21", (0.5, 0.3, 0), "家具", "家具加工部", ""),
    ("47", (4, 0, 0), "建筑工程 建设工程", "", ""),
    ("50", (2, 1, 0), "装饰工程 装饰装修", "装饰部", ""),
    ("70", (2, 0.3, 0), "房地产开发 置业 物业管理", "房产中介部", ""),
    ("72", (7, 2, 0), "企业管理咨询 商务信息咨询 广告 人力资源 会展服务", "广告部 打字复印部 图文制作部", ""),
    ("71", (1, 0.5, 0), "设备租赁 汽车租赁", "租赁站", ""),
    ("74", (1.5, 0, 0), "工程设计 检测 测绘", "", ""),
    ("75", (4, 0, 0), "科技 农业科技 新能源科技", "", ""),
    ("65", (3, 0.3, 0), "网络科技 信息技术 软件", "电脑服务部", ""),
    (
        "01",
        (2, 2, 6),
        "农业发展 种植",
        "种植园 家庭农场",
        "蔬菜种植 果蔬种植 粮食种植 食用菌种植 梨种植 西瓜种植 中药材种植",
    ),
    (
        "03",
        (1, 1.5, 3),
        "牧业 养殖",
        "养殖场 养鸡场 养猪场",
        "养殖 肉牛养殖 生猪养殖 蛋鸡养殖 肉羊养殖 毛驴养殖",
    ),
    ("05", (0.3, 0.3, 2), "农机服务", "农机服务部", "农机 植保 农业服务"),
    ("88", (0.6, 0.3, 0), "文化传媒 文化传播", "文化工作室", ""),
    ("89", (0.3, 0.3, 0), "体育发展", "健身房", ""),
    ("90", (0.3, 0.8, 0), "文化娱乐", "棋牌室 游戏厅", ""),
    ("83", (0.7, 0, 0), "教育咨询 培训", "", ""),
    ("84", (0, 0.5, 0), "", "诊所", ""),
    ("44", (0.3, 0, 0), "热力 新能源", "", ""),
    ("78", (0.7, 0, 0), "园林绿化 环境工程", "", ""),
]


@dataclass(frozen=True)
class _Industry:
    division: str
    company_words: tuple[str, ...]
    shop_words: tuple[str, ...]
    coop_words: tuple[str, ...]


INDUSTRIES = [
    _Industry(div, tuple(c.split()), tuple(s.split()), tuple(p.split())) for div, _, c, s, p in _INDUSTRIES
]
_WEIGHTS = {div: w for div, w, *_ in _INDUSTRIES}
# Industries of the small companies registered at a cluster host's address.
HOSTED_INDUSTRIES = _Picker(
    [i for i in INDUSTRIES if i.division in {"72", "75", "65", "51", "88", "74"}], [5, 4, 3, 3, 1, 1]
)

# Plain strings, not the TextChoices members: the bulk writer hands them to the driver as they are.
_INDIVIDUAL, _ENTERPRISE, _BRANCH = (
    EntityType.INDIVIDUAL.value,
    EntityType.ENTERPRISE.value,
    EntityType.BRANCH.value,
)
_COOPERATIVE, _COOPERATIVE_BRANCH = EntityType.COOPERATIVE.value, EntityType.COOPERATIVE_BRANCH.value
_ACTIVE = EntityStatus.ACTIVE.value
ENTITY_TYPES = _Picker(
    [_INDIVIDUAL, _ENTERPRISE, _COOPERATIVE, _BRANCH, _COOPERATIVE_BRANCH], [0.65, 0.28, 0.04, 0.025, 0.005]
)
# 机构类别码 (second character of the credit code) for 工商 registrations (first character 9).
TYPE_CHAR = {
    EntityType.ENTERPRISE: "1",
    EntityType.BRANCH: "1",
    EntityType.INDIVIDUAL: "2",
    EntityType.COOPERATIVE: "3",
    EntityType.COOPERATIVE_BRANCH: "3",
}
_STATUS_ORDER = [
    s.value
    for s in (
        EntityStatus.ACTIVE,
        EntityStatus.CANCELLED,
        EntityStatus.REVOKED,
        EntityStatus.MOVED_OUT,
        EntityStatus.SUSPENDED,
    )
]
STATUSES = {
    EntityType.INDIVIDUAL: _Picker(_STATUS_ORDER, [0.84, 0.11, 0.03, 0.005, 0.015]),
    EntityType.ENTERPRISE: _Picker(_STATUS_ORDER, [0.86, 0.08, 0.035, 0.015, 0.01]),
    EntityType.BRANCH: _Picker(_STATUS_ORDER, [0.85, 0.12, 0.02, 0.0, 0.01]),
    EntityType.COOPERATIVE: _Picker(_STATUS_ORDER, [0.80, 0.12, 0.07, 0.0, 0.01]),
    EntityType.COOPERATIVE_BRANCH: _Picker(_STATUS_ORDER, [0.90, 0.08, 0.02, 0.0, 0.0]),
}
RISK_CLASSES = _Picker(list(CreditRiskClass.values), [0.30, 0.55, 0.12, 0.03])
# Registered capital in 万元 (个体工商户: 资金数额; 合作社: 成员出资总额; 分支机构 have none).
_CAPITAL = {
    EntityType.ENTERPRISE: (
        "10:3 20:2 30:3 50:8 88:1 100:15 168:1 200:10 300:8 500:12 800:2 888:1 1000:12 2000:6 3000:4 5000:5 "
        "10000:3 20000:1 50000:0.5"
    ),
    EntityType.INDIVIDUAL: "1:10 2:12 3:14 5:20 8:6 10:16 20:10 30:6 50:6",
    EntityType.COOPERATIVE: "10:5 20:6 50:10 100:10 200:6 300:4 500:3",
}
CAPITALS = {
    kind: _Picker(
        [Decimal(p.split(":")[0]) for p in spec.split()], [float(p.split(":")[1]) for p in spec.split()]
    )
    for kind, spec in _CAPITAL.items()
}
CAPITALS[EntityType.COOPERATIVE_BRANCH] = CAPITALS[EntityType.COOPERATIVE]
ENTERPRISE_FORMS = _Picker(["有限公司", "有限责任公司", "股份有限公司", "经营部"], [0.75, 0.15, 0.03, 0.07])

# Shares the tests hold the generator to (see gongkai/registry/tests/test_demo.py).
HOSTED_SHARE_OF_ENTERPRISES = 0.08
MULTI_ADDRESS_SHARE = {EntityType.ENTERPRISE: 0.10, EntityType.INDIVIDUAL: 0.005}
CROSS_DISTRICT_SHARE = 0.3

# Credit codes: a 主体标识码 per entity. Older entities carry a numeric 组织机构代码 body, those
# registered since the 2015 reform an "MA" body; both end with the GB 11714 check character.
REFORM_DATE = dt.date(2015, 10, 1)
_NUMERIC_SPACE = 10**8
_MA_SPACE = 31**6
_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_GB11714_VALUE = {ch: int(ch, 36) for ch in creditcode.ALPHABET}


def org_code_check(body8: str) -> str:
    """The GB 11714 check character of an eight-character 组织机构代码 body."""
    c = 11 - sum(_GB11714_VALUE[ch] * w for ch, w in zip(body8, _GB11714_WEIGHTS, strict=True)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


# The GB 11714 weighted sums of every half of a body, so that the hot path adds two numbers
# instead of looping over eight characters (test_demo checks them against org_code_check).
@functools.cache
def _numeric_halves() -> tuple[list[int], list[int]]:
    w = _GB11714_WEIGHTS
    first = [sum(int(ch) * wi for ch, wi in zip(f"{n:04d}", w[:4], strict=True)) for n in range(10**4)]
    second = [sum(int(ch) * wi for ch, wi in zip(f"{n:04d}", w[4:], strict=True)) for n in range(10**4)]
    return first, second


_MA_11714 = _GB11714_VALUE["M"] * _GB11714_WEIGHTS[0] + _GB11714_VALUE["A"] * _GB11714_WEIGHTS[1]


@functools.cache
def _ma_halves() -> tuple[list[str], tuple[list[int], list[int]]]:
    text = [_base31(n, 3) for n in range(31**3)]
    w = _GB11714_WEIGHTS
    first = [sum(_GB11714_VALUE[ch] * wi for ch, wi in zip(t, w[2:5], strict=True)) for t in text]
    second = [sum(_GB11714_VALUE[ch] * wi for ch, wi in zip(t, w[5:], strict=True)) for t in text]
    return text, (first, second)


def _base31(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 31)
        out.append(creditcode.ALPHABET[r])
    return "".join(reversed(out))


# ================================================================================================
# The generator
# ================================================================================================


@dataclass(frozen=True)
class ConflictSpec:
    officer_code: str
    entity_code: str
    reason: str
    declared_on: dt.date
    declared_by: str


@dataclass(frozen=True)
class _Host:
    code: str
    district: _District
    address: str
    established_ordinal: int


class DemoCity:
    """A deterministic city of ``entities`` market entities, ~300 officers and some conflicts.

    Pure: no database access. ``as_of`` is the day the city is "seen" (no date after it).
    ``cross_district`` allows 经营场所 in another district (the ``registry.multi_address_scope``
    setting is "city").
    """

    def __init__(
        self,
        *,
        seed: int = DEFAULT_SEED,
        entities: int = DEFAULT_ENTITIES,
        as_of: dt.date | None = None,
        cross_district: bool = True,
    ):
        if entities < 0:
            raise ValueError("entities must be >= 0")
        self.seed = seed
        self.count = entities
        self.as_of = as_of or dt.date.today()
        self.cross_district = cross_district
        self._today = self.as_of.toordinal()
        self._ma_since_days = (self.as_of - REFORM_DATE).days
        self._coop_max_days = max(30, (self.as_of - dt.date(2007, 7, 1)).days)
        rng = self._rng("codes")
        # Affine permutations of the entity index: distinct 主体标识码 for every entity, stable per seed.
        self._num_a = rng.randrange(1, _NUMERIC_SPACE // 10) * 10 + rng.choice((1, 3, 7, 9))
        self._num_b = rng.randrange(_NUMERIC_SPACE)
        self._ma_a = rng.randrange(1, _MA_SPACE)
        while self._ma_a % 31 == 0:
            self._ma_a = rng.randrange(1, _MA_SPACE)
        self._ma_b = rng.randrange(_MA_SPACE)
        self._district = _Picker(DISTRICTS, [d.share for d in DISTRICTS])
        self._others = {d.code: [o for o in DISTRICTS if o.code != d.code] for d in DISTRICTS}
        self._town = {
            d.code: _Picker(d.towns, [3.0 if t.is_street else 1.0 for t in d.towns]) for d in DISTRICTS
        }
        self._industry: dict[tuple[str, str], _Picker] = {}
        for d in DISTRICTS:
            for kind in EntityType.values:
                col = 2 if kind.startswith("cooperative") else 1 if kind == _INDIVIDUAL else 0
                self._industry[d.code, kind] = _Picker(
                    INDUSTRIES,
                    [_WEIGHTS[i.division][col] * d.specialities.get(i.division, 1.0) for i in INDUSTRIES],
                )
        self.host_count = min(HOST_COUNT, entities // 10)
        self._hosts: list[_Host] = []
        self._host_records = self._make_hosts()
        self.host_codes = [h.code for h in self._hosts]

    # --- randomness ------------------------------------------------------------------------------

    def _rng(self, part: str | int) -> random.Random:
        # A str seed is hashed with SHA-512 by random.Random: stable across runs and machines.
        return random.Random(f"gongkai-demo/{GENERATOR_VERSION}/{self.seed}/{part}")

    # --- small builders ----------------------------------------------------------------------------

    def credit_code(self, index: int, type_char: str, region: str, established_ordinal: int) -> str:
        if self._today - established_ordinal <= self._ma_since_days:
            hi, lo = divmod((self._ma_a * index + self._ma_b) % _MA_SPACE, 31**3)
            text, weighted = _ma_halves()
            body = "MA" + text[hi] + text[lo]
            total = _MA_11714 + weighted[0][hi] + weighted[1][lo]
        else:
            hi, lo = divmod((self._num_a * index + self._num_b) % _NUMERIC_SPACE, 10**4)
            weighted = _numeric_halves()
            body = f"{hi:04d}{lo:04d}"
            total = weighted[0][hi] + weighted[1][lo]
        check = 11 - total % 11
        return creditcode.complete(
            f"9{type_char}{region}{body}{'X' if check == 10 else '0' if check == 11 else check}"
        )

    @staticmethod
    def _person(rnd: Callable[[], float]) -> str:
        pool = GIVEN_MALE if rnd() < 0.55 else GIVEN_FEMALE
        given = pool[int(rnd() * len(pool))]
        if rnd() < 0.7:
            given += pool[int(rnd() * len(pool))]
        return SURNAME(rnd()) + given

    @staticmethod
    def _trade_name(rnd: Callable[[], float]) -> str:
        if rnd() < 0.04:
            return TRADE_LOCAL[int(rnd() * len(TRADE_LOCAL))]
        first = TRADE_FIRST[int(rnd() * len(TRADE_FIRST))]
        j = int(rnd() * len(TRADE_SECOND))
        second = TRADE_SECOND[j]
        if second == first:  # 宏宏, 通通: avoid a doubled character
            second = TRADE_SECOND[j - 1]
        return first + second

    def _address(self, rnd: Callable[[], float], d: _District) -> tuple[str, _Town]:
        town = self._town[d.code](rnd())
        if town.is_street:
            village = COMMUNITIES[int(rnd() * len(COMMUNITIES))] + "社区"
            road = d.roads[int(rnd() * len(d.roads))]
            n = 1 + int(rnd() ** 2 * 400)
            v = rnd()
            number = (
                f"{n}号"
                if v < 0.6
                else f"{n}号门市"
                if v < 0.8
                else f"{n}号{1 + int(rnd() * 20)}号楼{1 + int(rnd() * 4)}单元{1 + int(rnd() * 18)}0{1 + int(rnd() * 4)}室"
            )
        else:
            village = (
                VILLAGE_PREFIXES[int(rnd() * len(VILLAGE_PREFIXES))]
                + SURNAMES[int(rnd() * 24)]
                + VILLAGE_SUFFIXES[int(rnd() * len(VILLAGE_SUFFIXES))]
                + "村"
            )
            road = (
                RURAL_ROADS[int(rnd() * len(RURAL_ROADS))]
                if rnd() < 0.7
                else d.roads[int(rnd() * len(d.roads))]
            )
            number = f"{1 + int(rnd() ** 2 * 200)}号"
        return f"山东省聊城市{d.in_address}{town.name}{village}{road}{number}", town

    def _phone(self, rnd: Callable[[], float], landline: bool) -> str:
        if landline:
            return f"0635-{8000000 + int(rnd() * 1999999)}"
        return f"{MOBILE_PREFIXES[int(rnd() * len(MOBILE_PREFIXES))]}{int(rnd() * 100_000_000):08d}"

    def _date(self, ordinal: int) -> dt.date:
        return dt.date.fromordinal(ordinal)

    # --- cluster hosts ---------------------------------------------------------------------------

    def _make_hosts(self) -> list[EntityRecord]:
        rng = self._rng("hosts")
        rnd = rng.random
        zones = [
            DISTRICT_BY_CODE[c]
            for c in (
                "371502",
                "371571",
                "371572",
                "371502",
                "371573",
                "371581",
                "371571",
                "371522",
                "371502",
                "371572",
            )
        ]
        kinds = [
            ("商务秘书有限公司", "72"),
            ("企业管理咨询有限公司", "72"),
            ("企业服务有限公司", "72"),
            ("众创空间管理有限公司", "75"),
            ("科技企业孵化器有限公司", "75"),
        ]
        records = []
        for i in range(self.host_count):
            d = zones[i % len(zones)]
            suffix, division = kinds[i % len(kinds)]
            street_towns = [t for t in d.towns if t.is_street] or list(d.towns)
            town = street_towns[int(rnd() * len(street_towns))]
            road = d.roads[int(rnd() * len(d.roads))]
            building = BUILDINGS[int(rnd() * len(BUILDINGS))]
            community = COMMUNITIES[int(rnd() * len(COMMUNITIES))]
            address = (
                f"山东省聊城市{d.in_address}{town.name}{community}社区{road}{1 + int(rnd() * 300)}号"
                f"{building}{2 + int(rnd() * 20)}层"
            )
            established = self._today - 600 - int(rnd() * 2400)
            code = self.credit_code(i, "1", d.code, established)
            name = f"{'聊城' if i % 2 else '聊城市'}{self._trade_name(rnd)}{suffix}"
            rep = self._person(rnd)
            records.append(
                EntityRecord(
                    credit_code=code,
                    name=name,
                    entity_type=_ENTERPRISE,
                    legal_representative=rep,
                    established_on=self._date(established),
                    industry_division=division,
                    status=_ACTIVE,
                    registration_authority=d.authority,
                    district_code=d.code,
                    domicile=address,
                    registered_capital=Decimal(100 * (1 + int(rnd() * 10))),
                    contact_name=rep,
                    contact_phone=self._phone(rnd, rnd() < 0.5),
                    credit_risk_class="A" if rnd() < 0.6 else "B",
                    credit_risk_date=self._date(max(established, self._today - 30 - int(rnd() * 300))),
                    is_cluster_host=True,
                )
            )
            self._hosts.append(_Host(code, d, address, established))
        return records

    # --- entities --------------------------------------------------------------------------------

    def chunks(self) -> Iterator[tuple[int, list[EntityRecord]]]:
        """(index of the first record, records) for each chunk, in order. Hosts come first."""
        for k in range((self.count + CHUNK_SIZE - 1) // CHUNK_SIZE):
            start, stop = k * CHUNK_SIZE, min(self.count, (k + 1) * CHUNK_SIZE)
            yield start, self._chunk(k, start, stop)

    def entity_records(self) -> Iterator[EntityRecord]:
        for _, chunk in self.chunks():
            yield from chunk

    def _chunk(self, k: int, start: int, stop: int) -> list[EntityRecord]:
        rng = self._rng(k)
        rnd = rng.random
        records = [self._host_records[i] for i in range(start, min(stop, self.host_count))]
        make = self._entity
        for i in range(max(start, self.host_count), stop):
            records.append(make(i, rnd))
        return records

    def _entity(self, index: int, rnd: Callable[[], float]) -> EntityRecord:
        today = self._today
        kind = ENTITY_TYPES(rnd())
        host = None
        if kind == _ENTERPRISE and self.host_count and rnd() < HOSTED_SHARE_OF_ENTERPRISES:
            host = self._hosts[int(rnd() ** 1.5 * self.host_count)]
            d = host.district
            industry = HOSTED_INDUSTRIES(rnd())
        else:
            d = self._district(rnd())
            industry = self._industry[d.code, kind](rnd())

        # Dates: mostly recent (the number of entities has grown fast), never after as_of.
        if host is not None:
            age = 1 + int(rnd() * (today - host.established_ordinal))
        elif kind == _INDIVIDUAL:
            age = 1 + int(rnd() ** 2.2 * 10_000)
        elif kind in (_COOPERATIVE, _COOPERATIVE_BRANCH):
            age = 1 + int(rnd() ** 1.2 * self._coop_max_days)
        else:
            age = 1 + int(rnd() ** 1.8 * 11_000)
        established = today - age
        status = STATUSES[kind](rnd()) if host is None else _ACTIVE
        since = established
        if status != _ACTIVE:
            if age > 60:
                since = established + 30 + int(rnd() * (age - 30))
            else:
                status = _ACTIVE

        domicile, town = (host.address, None) if host is not None else self._address(rnd, d)
        rep = self._person(rnd)
        capital = CAPITALS[kind](rnd()) if kind != _BRANCH else None
        region, authority = d.code, d.authority

        if kind == _INDIVIDUAL:
            place = d.in_name if d.code > "371570" or rnd() < 0.8 else "聊城市" + d.in_name
            words = industry.shop_words
            shop = words[int(rnd() * len(words))]
            v = rnd()
            if v < 0.3:
                name = f"{place}{rep[0]}记{shop}"
            elif v < 0.55:
                name = f"{place}{self._trade_name(rnd)}{shop}"
            elif v < 0.8 and town is not None and len(rep) == 3:
                name = f"{place}{town.name}{rep[1:]}{shop}"
            else:
                name = f"{place}{rep[0]}氏{shop}"
            contact = rep
        elif kind in (_COOPERATIVE, _COOPERATIVE_BRANCH):
            words = industry.coop_words or ("种植",)
            stem = self._trade_name(rnd) if rnd() < 0.6 else (town.short if town is not None else d.short)
            name = f"{d.in_name}{stem}{words[int(rnd() * len(words))]}专业合作社"
            if kind == _COOPERATIVE_BRANCH:
                name += f"{town.short if town is not None else d.short}分社"
            contact = rep
        else:
            words = industry.company_words
            word = words[int(rnd() * len(words))]
            if kind == _BRANCH:
                parent = f"{'山东' if rnd() < 0.4 else '聊城市'}{self._trade_name(rnd)}{word}有限公司"
                where = town.short if industry.division == "52" and town is not None else d.short
                name = f"{parent}{where}{'店' if industry.division == '52' else '分公司'}"
            else:
                form = ENTERPRISE_FORMS(rnd())
                if form == "股份有限公司" and capital is not None and capital < 1000:
                    capital = Decimal(1000)
                v = rnd()
                if capital is not None and capital >= 5000:
                    place = "山东" if v < 0.5 else "聊城市"
                    region, authority = CITY_CODE, CITY_AUTHORITY
                else:
                    place = "聊城市" if v < 0.45 else "聊城" if v < 0.55 else d.in_name
                name = f"{place}{self._trade_name(rnd)}{word}{form}"
            contact = rep if rnd() < 0.4 else self._person(rnd)

        premises: list[AddressRecord] = []
        if host is None and rnd() < MULTI_ADDRESS_SHARE.get(kind, 0.0):
            v = rnd()
            for _ in range(1 if v < 0.7 else 2 if v < 0.92 else 3):
                pd = d
                if self.cross_district and rnd() < CROSS_DISTRICT_SHARE:
                    others = self._others[d.code]
                    pd = others[int(rnd() * len(others))]
                text, _ = self._address(rnd, pd)
                if text != domicile and all(p.full_text != text for p in premises):
                    premises.append(AddressRecord(pd.code, text))

        risk_ordinal = max(established, today - 30 - int(rnd() * 400))
        return EntityRecord(
            credit_code=self.credit_code(index, TYPE_CHAR[kind], region, established),
            name=name,
            entity_type=kind,
            legal_representative=rep,
            established_on=self._date(established),
            industry_division=industry.division,
            registration_authority=authority,
            district_code=d.code,
            domicile=domicile,
            status=status,
            status_since=self._date(since),
            registered_capital=capital,
            premises=premises,
            contact_name=contact,
            contact_phone=self._phone(rnd, kind == _ENTERPRISE and rnd() < 0.15),
            credit_risk_class=RISK_CLASSES(rnd()),
            credit_risk_date=self._date(risk_ordinal),
            cluster_host_code=host.code if host is not None else "",
        )

    # --- officers and conflicts ------------------------------------------------------------------

    def officers(self) -> list[OfficerRecord]:
        """About 300 officers: 市场监管 (city 科室 and one 所 per town cluster of each district) and
        the other departments of joint inspections; some auxiliary staff, some certificates expired
        or expiring within a month, a few off duty."""
        rng = self._rng("officers")
        rnd = rng.random
        scjg_items = [code for code, _, dept in INSPECTION_ITEMS if dept == "SCJG"]
        units: list[tuple[str, str, str, int]] = [  # department, unit, district, head count
            ("SCJG", "聊城市市场监督管理局执法稽查支队", CITY_CODE, 8),
            ("SCJG", "聊城市市场监督管理局食品安全监督管理科", CITY_CODE, 4),
            ("SCJG", "聊城市市场监督管理局特种设备安全监察科", CITY_CODE, 4),
            ("SCJG", "聊城市市场监督管理局信用监督管理科", CITY_CODE, 3),
            ("SCJG", "聊城市市场监督管理局计量科", CITY_CODE, 2),
        ]
        for d in DISTRICTS:
            bureau = d.authority.removesuffix("市场监督管理局") if d.code < "371570" else ""
            towns = [t for t in d.towns if t.is_street][:2] + [t for t in d.towns if not t.is_street][:2]
            for t in towns:
                units.append(("SCJG", f"{t.short}市场监管所", d.code, 3 + int(rnd() * 3)))
            if bureau:
                units.append(("SCJG", f"{bureau}市场监督管理局综合行政执法大队", d.code, 4 + int(rnd() * 3)))
        others = [
            ("WSJK", "卫生健康综合监督执法局"),
            ("STHJ", "生态环境保护综合执法大队"),
            ("YJGL", "应急管理综合行政执法大队"),
            ("NYNC", "农业综合行政执法大队"),
            ("SW", "税务局第一稽查局"),
        ]
        for i, (dept, unit) in enumerate(others):
            for d in DISTRICTS[i % 3 :: 3]:
                units.append((dept, f"{d.in_name}{unit}", d.code, 3 + int(rnd() * 3)))

        officers: list[OfficerRecord] = []
        serial = {dept: 0 for dept, *_ in units}
        for dept, unit, district, heads in units:
            for _ in range(heads):
                serial[dept] += 1
                code = f"{dept}{serial[dept]:04d}"
                name = self._person(rnd)
                v = rnd()
                if v < 0.06:  # auxiliary staff: recorded, never drawn
                    officers.append(
                        OfficerRecord(
                            code, name, dept, unit, district, is_law_enforcement=False, qualified_items=[]
                        )
                    )
                    continue
                if v < 0.09:
                    expires = self._today - 1 - int(rnd() * 200)  # expired
                elif v < 0.15:
                    expires = self._today + int(rnd() * 30)  # expiring within a month
                else:
                    expires = self._today + 60 + int(rnd() * 1800)
                if dept == "SCJG":
                    items = sorted(rng.sample(scjg_items, 2 + int(rnd() * 5)))
                else:
                    items = [c for c, _, owner in INSPECTION_ITEMS if owner == dept]
                cert = f"{district}{list(serial).index(dept) + 1:02d}{serial[dept]:05d}"
                status = "off_duty" if rnd() < 0.03 else "on_duty"
                officers.append(
                    OfficerRecord(
                        code,
                        name,
                        dept,
                        unit,
                        district,
                        is_law_enforcement=True,
                        certificate_no=cert,
                        certificate_expires=self._date(expires),
                        qualified_items=items,
                        status=status,
                    )
                )
        return officers

    def conflict_indices(self) -> list[int]:
        """Indices of the entities some officer has declared a conflict with (about one per ten officers)."""
        if self.count <= self.host_count:
            return []
        rng = self._rng("conflicts")
        want = min(30, self.count - self.host_count)
        return sorted(rng.sample(range(self.host_count, self.count), want))

    def conflicts(self, targets: dict[int, EntityRecord]) -> list[ConflictSpec]:
        """Conflicts for the entities at :meth:`conflict_indices` (given as index → record)."""
        rng = self._rng("conflict-pairs")
        rnd = rng.random
        officers = [o for o in self.officers() if o.is_law_enforcement and o.department_code == "SCJG"]
        by_district: dict[str, list[OfficerRecord]] = {}
        for o in officers:
            by_district.setdefault(o.district_code, []).append(o)
        reasons = (
            "配偶经营该个体工商户",
            "近亲属担任该企业法定代表人",
            "曾在该企业任职，离职未满三年",
            "与该主体负责人存在经济往来",
            "本人持有该企业股份",
        )
        out: list[ConflictSpec] = []
        seen: set[tuple[str, str]] = set()
        for index in sorted(targets):
            rec = targets[index]
            pool = by_district.get(rec.district_code) or officers
            officer = pool[int(rnd() * len(pool))]
            if (officer.code, rec.credit_code) in seen:
                continue
            seen.add((officer.code, rec.credit_code))
            declared = max(rec.established_on.toordinal(), self._today - 1 - int(rnd() * 700))
            by = officer.name if rnd() < 0.8 else "所长"
            out.append(
                ConflictSpec(
                    officer.code,
                    rec.credit_code,
                    reasons[int(rnd() * len(reasons))],
                    self._date(declared),
                    by,
                )
            )
        return out


# ================================================================================================
# Loading into the database
# ================================================================================================


class DemoError(Exception):
    """The demo cannot be loaded here (the message says why, in Chinese)."""


@dataclass
class DemoLoadResult:
    entities: int = 0
    hosts: int = 0
    hosted: int = 0
    multi_address: int = 0
    closed: int = 0
    officers: int = 0
    auxiliary: int = 0
    conflicts: int = 0
    accounts: list[str] = field(default_factory=list)
    seconds: float = 0.0


def is_demo_database() -> bool:
    """Whether ``gongkai load-demo`` created this database's demo accounts (its marker event exists)."""
    from gongkai.core.models import AuditEvent

    return AuditEvent.objects.filter(
        object_type=MARKER_TYPE, object_id=MARKER_ID, action=MARKER_ACTION
    ).exists()


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, role) of the demo accounts that still have the demo password.

    Empty unless this is a demo database: nothing secret is ever returned elsewhere.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password

    if not is_demo_database():
        return []
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS])
    }
    out = []
    for username, role, *_ in DEMO_ACCOUNTS:
        user = users.get(username)
        # hashers.check_password, not user.check_password: that would re-hash and save the password.
        if user is not None and user.is_active and check_password(DEMO_PASSWORD, user.password):
            out.append((username, DEMO_PASSWORD, role))
    return out


def demo_city_load(
    *,
    actor: Any = DEMO_ACTOR,
    entities: int = DEFAULT_ENTITIES,
    seed: int = DEFAULT_SEED,
    as_of: dt.date | None = None,
    bulk: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> DemoLoadResult:
    """Load the demo city into an empty register, in one transaction.

    ``bulk=False`` (the demo): every entity goes through ``entities_upsert`` — one audit event per
    entity; closed entities are created 存续 and then changed, so their status history and audit
    trail show both steps. ``bulk=True`` (benchmarks only): the same rows are written straight into
    the tables with one audit event per chunk of :data:`CHUNK_SIZE` entities, naming the generator,
    seed and index range (the rows are reproducible from those) and the SHA-256 of the chunk's
    credit codes. What is lost is the per-entity history (``audit.history(entity)`` is empty) and
    the per-entity before/after values; that is why it is never the default. In bulk mode the
    record checker sees the first chunk and every 97th record after it (the generator is held to
    every rule by the tests), and the tables' secondary indexes are rebuilt once at the end instead
    of being updated row by row.
    """
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from gongkai.core import audit, roles
    from gongkai.core.parameters import parameter_value
    from gongkai.registry.models import Entity
    from gongkai.registry.services import entities_upsert, record_checker

    started = time.perf_counter()
    result = DemoLoadResult()
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        if Entity.objects.exists():
            raise DemoError(
                "数据库中已有市场主体：演示数据只能载入空的名录库（要重新载入，请先删除数据库文件）。"
            )
        scope = parameter_value("registry.multi_address_scope")
        city = DemoCity(seed=seed, entities=entities, as_of=as_of, cross_district=scope == "city")
        if Group.objects.filter(name__in=roles.ROLES).count() != len(roles.ROLES):
            roles.sync_roles()
        result.accounts = _accounts_create(actor=actor)

        checker = record_checker(extra_host_codes=city.host_codes)
        wanted = set(city.conflict_indices())
        targets: dict[int, EntityRecord] = {}
        if bulk:
            writer = _BulkWriter(actor=actor, city=city, checker=checker, wanted=wanted)
            writer.begin()
            for item in writer.chunks():
                writer.write(item)
                targets.update(item.targets)
                result.hosts += item.hosts
                result.hosted += item.hosted
                result.multi_address += item.multi_address
                result.closed += item.closed
                result.entities += item.count
                if progress is not None:
                    progress(result.entities, city.count)
            writer.finish()
        else:
            note = f"演示数据（种子{seed}）"
            for start, chunk in city.chunks():
                for offset, rec in enumerate(chunk):
                    problems = checker.check(rec)
                    if problems:
                        raise DemoError(f"演示数据生成器产生了无效记录 {rec.credit_code}：{problems}")
                    if start + offset in wanted:
                        targets[start + offset] = rec
                    result.hosts += rec.is_cluster_host
                    result.hosted += bool(rec.cluster_host_code)
                    result.multi_address += bool(rec.premises)
                    result.closed += rec.status != _ACTIVE
                entities_upsert(actor=actor, records=[_as_established(r) for r in chunk], note=note)
                changed = [r for r in chunk if r.status != _ACTIVE]
                if changed:
                    entities_upsert(actor=actor, records=changed, note=note + "：登记状态变更")
                result.entities += len(chunk)
                if progress is not None:
                    progress(result.entities, city.count)

        officers = city.officers()
        _officers_create(actor=actor, officers=officers)
        result.officers = len(officers)
        result.auxiliary = sum(not o.is_law_enforcement for o in officers)
        conflicts = city.conflicts(targets)
        _conflicts_create(actor=actor, conflicts=conflicts)
        result.conflicts = len(conflicts)

        audit.record(
            actor=actor,
            action=MARKER_ACTION,
            object_type=MARKER_TYPE,
            object_id=MARKER_ID,
            object_repr="演示城市",
            after={
                "generator": GENERATOR_VERSION,
                "seed": seed,
                "as_of": as_of.isoformat(),
                "entities": entities,
                "bulk": bulk,
                "accounts": result.accounts,
            },
            note="演示数据库：含公开密码的演示账号，切勿用于生产",
        )
    result.seconds = time.perf_counter() - started
    return result


def _as_established(rec: EntityRecord) -> EntityRecord:
    """The record as it was registered: 存续 since its establishment."""
    if rec.status == _ACTIVE:
        return rec
    return dataclasses.replace(rec, status=_ACTIVE, status_since=rec.established_on)


def _accounts_create(*, actor: Any) -> list[str]:
    """One staff account per role, with the public demo password (fast hash: the password is public)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.contrib.auth.models import Group

    from gongkai.core import audit
    from gongkai.core.models import District, StaffProfile

    user_model = get_user_model()
    taken = list(
        user_model.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).values_list(
            "username", flat=True
        )
    )
    if taken:
        raise DemoError(f"用户名{'、'.join(taken)}已存在：演示账号只能在新数据库中创建。")
    hasher = PBKDF2PasswordHasher()
    created = []
    for username, role, display, unit, district in DEMO_ACCOUNTS:
        user = user_model(
            username=username,
            is_staff=True,
            is_active=True,
            password=hasher.encode(DEMO_PASSWORD, hasher.salt(), iterations=1000),
        )
        user.full_clean(exclude=["password"])
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        profile = StaffProfile.objects.create(user=user, display_name=display, unit=unit)
        if district:
            profile.districts.set([District.objects.get(pk=district)])
        audit.record(
            actor=actor,
            action="core.user.create",
            obj=user,
            after={
                "username": username,
                "groups": [role],
                "is_staff": True,
                "districts": [district] if district else [],
            },
            note="演示账号",
        )
        created.append(username)
    return created


def _officers_create(*, actor: Any, officers: list[OfficerRecord]) -> None:
    """Write the demo's officers through the inspector register's checker and service."""
    from gongkai.inspectors.services import officer_checker, officers_upsert

    checker = officer_checker()
    for rec in officers:
        problems = checker.check(rec)
        if problems:
            raise DemoError(f"演示数据生成器产生了无效的执法检查人员 {rec.code}：{problems}")
    officers_upsert(actor=actor, records=officers, note="演示数据")


def _conflicts_create(*, actor: Any, conflicts: list[ConflictSpec]) -> None:
    """Declare the demo's conflicts (回避) through the inspector register's service."""
    from gongkai.inspectors.models import Officer
    from gongkai.inspectors.services import conflict_declare
    from gongkai.registry.models import Entity

    officers = Officer.objects.in_bulk([c.officer_code for c in conflicts])
    entities = Entity.objects.in_bulk([c.entity_code for c in conflicts])
    for c in conflicts:
        conflict_declare(
            actor=actor,
            officer=officers[c.officer_code],
            entity=entities[c.entity_code],
            reason=c.reason,
            declared_on=c.declared_on,
            declared_by=c.declared_by,
        )


SQLITE_BULK_CACHE_KIB = 64 * 1024
_SQLITE_NATIVE = frozenset({str, int, bool, type(None)})
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass
class _BulkChunk:
    """One chunk, encoded for the database by :meth:`_BulkWriter.encode` (possibly in a worker process)."""

    start: int
    count: int
    tables: list[Any]  # per table: COPY text (PostgreSQL) or a list of row tuples (SQLite)
    digest: str
    hosts: int = 0
    hosted: int = 0
    multi_address: int = 0
    closed: int = 0
    targets: dict[int, EntityRecord] = field(default_factory=dict)
    problem: str = ""


class _BulkWriter:
    """Benchmark-scale writes: the rows ``entities_upsert`` would write, without per-entity events.

    Generating and encoding the rows is pure Python and the larger part of the work, so on systems
    with ``fork`` it runs in one worker process while this process feeds the database; the chunks
    are identical either way (each has its own seeded ``Random``).
    """

    ADDRESS_COLUMNS = (
        "entity_id",
        "kind",
        "position",
        "district_id",
        "full_text",
        "town",
        "village",
        "street",
        "number",
        "normalised",
    )
    STATUS_COLUMNS = ("entity_id", "from_status", "to_status", "effective_on", "recorded_at")

    def __init__(self, *, actor: Any, city: DemoCity, checker: Any, wanted: set[int]):
        from django.db import connection
        from django.utils import timezone

        from gongkai.registry.models import Address, Entity, StatusChange

        self.actor = actor
        self.city = city
        self.checker = checker
        self.wanted = wanted
        self.connection = connection
        self.postgresql = connection.vendor == "postgresql"
        now = timezone.now()
        # Adapted once, not for each of millions of rows (what Django would store anyway).
        self.now = str(now) if self.postgresql else connection.ops.adapt_datetimefield_value(now)
        fields = Entity._meta.concrete_fields
        if sorted([*_sample_record().entity_values(), "updated_at"]) != sorted(f.attname for f in fields):
            raise DemoError("Entity 的字段与 EntityRecord 不一致：请更新 demo._BulkWriter")
        self.entity_attnames = [f.attname for f in fields]
        self.columns = ([f.column for f in fields], list(self.ADDRESS_COLUMNS), list(self.STATUS_COLUMNS))
        self.tables = (Entity._meta.db_table, Address._meta.db_table, StatusChange._meta.db_table)
        self.indexes: list[tuple[str, str]] = []
        self.sqlite_cache_size = 0
        self.foreign_keys: list[tuple[str, str, str]] = []

    # --- around the load ---------------------------------------------------------------------------

    def begin(self) -> None:
        """Drop the secondary indexes (and, on PostgreSQL, the foreign keys) of the three tables.

        The recipe of PostgreSQL's "Populating a Database": building an index once over sorted keys,
        and validating a foreign key with one join, are several times faster than maintaining them
        for each of millions of rows. Primary keys and unique constraints stay, so every row is still
        checked as it arrives; :meth:`finish` re-creates the rest, which validates the foreign keys
        over all rows. All of it runs inside the loader's transaction: a failure rolls it all back.
        """
        conn = self.connection
        with conn.cursor() as cursor:
            if self.postgresql:
                # Run the checks still pending in this transaction now: ALTER TABLE refuses a table
                # with pending (deferred) trigger events.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                cursor.execute(
                    "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
                    " JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' AND t.relname = ANY(%s)"
                    " ORDER BY t.relname, c.conname",
                    [list(self.tables)],
                )
                self.foreign_keys = cursor.fetchall()
                for table, name, _ in self.foreign_keys:
                    cursor.execute(
                        f"ALTER TABLE {conn.ops.quote_name(table)} DROP CONSTRAINT {conn.ops.quote_name(name)}"
                    )
                cursor.execute(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
                    " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
                    " WHERE t.relname = ANY(%s) AND NOT EXISTS"
                    " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) ORDER BY i.relname",
                    [list(self.tables)],
                )
            else:
                # The primary-key and unique indexes that stay take random keys; a page cache that
                # holds them (instead of SQLite's default 2 MB) saves re-reading pages from the OS.
                cursor.execute("PRAGMA cache_size")
                self.sqlite_cache_size = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                    f" AND tbl_name IN ({', '.join(['%s'] * len(self.tables))}) ORDER BY name",
                    list(self.tables),
                )
            self.indexes = cursor.fetchall()
            for name, _ in self.indexes:
                cursor.execute(f"DROP INDEX {conn.ops.quote_name(name)}")

    def finish(self) -> None:
        conn = self.connection
        with conn.cursor() as cursor:
            for _, definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition in self.foreign_keys:
                cursor.execute(
                    f"ALTER TABLE {conn.ops.quote_name(table)} ADD CONSTRAINT {conn.ops.quote_name(name)} {definition}"
                )
            for table in self.tables:
                cursor.execute(f"ANALYZE {conn.ops.quote_name(table)}")
            if not self.postgresql:
                cursor.execute(f"PRAGMA cache_size = {int(self.sqlite_cache_size)}")
        self.indexes, self.foreign_keys = [], []

    # --- the chunks --------------------------------------------------------------------------------

    def chunks(self) -> Iterator[_BulkChunk]:
        """The encoded chunks in order: from a worker process where that is safe, else from here."""
        import multiprocessing

        # fork() copies only the calling thread: with other threads alive (a test runner's, a web
        # server's) a lock they hold could never be released in the child, so generate here instead.
        if "fork" not in multiprocessing.get_all_start_methods() or not _single_threaded():
            for start, chunk in self.city.chunks():
                yield self.encode(start, chunk)
            return
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue(maxsize=3)  # bounded: at most a few chunks in flight
        worker = ctx.Process(target=self._produce, args=(queue,), daemon=True)
        worker.start()
        try:
            while True:
                item = queue.get()
                if item is None:
                    break
                yield item
            worker.join()
        finally:
            if worker.is_alive():
                worker.terminate()
                worker.join()

    def _produce(self, queue: Any) -> None:
        # Runs in the forked worker: pure Python, never touches the database connection.
        try:
            for start, chunk in self.city.chunks():
                queue.put(self.encode(start, chunk))
        except Exception as exc:  # reported by the loader, which stops and rolls back
            queue.put(_BulkChunk(0, 0, [], "", problem=f"{type(exc).__name__}: {exc}"))
        queue.put(None)

    def encode(self, start: int, chunk: list[EntityRecord]) -> _BulkChunk:
        from gongkai.registry import addresses

        out = _BulkChunk(
            start,
            len(chunk),
            [],
            hashlib.sha256("\n".join(r.credit_code for r in chunk).encode()).hexdigest(),
        )
        check_every = 1 if start == 0 else 97
        now = self.now
        split, normalised = addresses.split, addresses.normalised
        row_of = operator.itemgetter(*self.entity_attnames)
        kinds = {kind: kind.value for kind in AddressKind}  # plain strings for the driver
        entity_rows: list[tuple] = []
        address_rows: list[tuple] = []
        status_rows: list[tuple] = []
        active = _ACTIVE
        for offset, rec in enumerate(chunk):
            if offset % check_every == 0:
                problems = self.checker.check(rec)
                if problems:
                    out.problem = f"{rec.credit_code}: {problems}"
                    return out
            if start + offset in self.wanted:
                out.targets[start + offset] = rec
            out.hosts += rec.is_cluster_host
            out.hosted += bool(rec.cluster_host_code)
            out.multi_address += bool(rec.premises)
            out.closed += rec.status != active
            values = rec.entity_values()
            values["updated_at"] = now
            entity_rows.append(row_of(values))
            code = rec.credit_code
            for position, (kind, district, text) in enumerate(rec.address_list()):
                parts = split(text)
                # Texts from address_list() are already cleaned: only a cluster mark can differ.
                norm = normalised(text) if "集群注册" in text else text
                address_rows.append(
                    (
                        code,
                        kinds[kind],
                        position,
                        district,
                        text[:300],
                        parts.town,
                        parts.village,
                        parts.street,
                        parts.number,
                        norm[:300],
                    )
                )
            if rec.status == active:
                status_rows.append((code, "", active, rec.status_since, now))
            else:
                status_rows.append((code, "", active, rec.established_on, now))
                status_rows.append((code, active, rec.status, rec.status_since, now))
        encode = self._copy_text if self.postgresql else self._sqlite_rows
        out.tables = [encode(entity_rows), encode(address_rows), encode(status_rows)]
        return out

    @staticmethod
    def _copy_text(rows: list[tuple]) -> bytes:
        """Rows in COPY's text format (what psycopg would send; done here so a worker can do it).

        Generated text never holds a tab, newline, carriage return or backslash, so the cells are
        joined as they are and the result is checked; only if that check fails is every cell escaped.
        """
        lines = [
            "\t".join(
                [
                    v
                    if v.__class__ is str
                    else "\\N"
                    if v is None
                    else ("t" if v else "f")
                    if v.__class__ is bool
                    else str(v)  # date, Decimal, int: their str() is PostgreSQL's input format
                    for v in row
                ]
            )
            for row in rows
        ]
        lines.append("")
        text = "\n".join(lines)
        cells = len(rows[0]) * len(rows) if rows else 0
        nulls = sum(row.count(None) for row in rows)
        if (
            text.count("\t") != cells - len(rows)
            or text.count("\n") != len(rows)
            or text.count("\\") != nulls
            or "\r" in text
        ):
            lines = [
                "\t".join(
                    "\\N"
                    if v is None
                    else ("t" if v else "f")
                    if v.__class__ is bool
                    else str(v).translate(_COPY_ESCAPES)
                    for v in row
                )
                for row in rows
            ]
            lines.append("")
            text = "\n".join(lines)
        return text.encode()

    @staticmethod
    def _sqlite_rows(rows: list[tuple]) -> list[tuple]:
        """Rows as Django stores them in SQLite (dates as ISO text, decimals as text, booleans 0/1)."""
        native = _SQLITE_NATIVE
        return [tuple([v if v.__class__ in native else str(v) for v in row]) for row in rows]

    def write(self, item: _BulkChunk) -> None:
        from gongkai.core import audit

        if item.problem:
            raise DemoError(f"演示数据生成器产生了无效记录 {item.problem}")
        conn = self.connection
        quote = conn.ops.quote_name
        with conn.cursor() as cursor:
            for table, columns, payload in zip(self.tables, self.columns, item.tables, strict=True):
                if not payload:
                    continue
                cols = ", ".join(quote(c) for c in columns)
                if self.postgresql:
                    with cursor.cursor.copy(f"COPY {quote(table)} ({cols}) FROM STDIN") as copy:
                        copy.write(payload)
                else:
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {quote(table)} ({cols}) VALUES ({marks})", payload)
        audit.record(
            actor=self.actor,
            action="registry.entity.bulk_create",
            object_type="registry.entity",
            object_id=f"demo:{self.city.seed}:{item.start}-{item.start + item.count - 1}",
            object_repr=f"演示数据 {item.count} 个市场主体",
            after={
                "generator": GENERATOR_VERSION,
                "seed": self.city.seed,
                "as_of": self.city.as_of.isoformat(),
                "first_index": item.start,
                "count": item.count,
                "credit_codes_sha256": item.digest,
            },
            note="基准测试规模的批量写入：每批一条审计事件",
        )


def _single_threaded() -> bool:
    """Whether this process runs one thread (counting threads not started by ``threading``)."""
    import os
    import threading

    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return threading.active_count() == 1


def _sample_record() -> EntityRecord:
    return EntityRecord(
        credit_code="",
        name="",
        entity_type=EntityType.ENTERPRISE,
        legal_representative="",
        established_on=dt.date(2000, 1, 1),
        industry_division="52",
        registration_authority="",
        district_code="",
        domicile="",
    )
