"""Tables and word lists of the demo district (data: Chinese names on purpose)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from towerwatch.buildings.choices import BuildingUse as U
from towerwatch.buildings.choices import FireSystemKind
from towerwatch.organizations.choices import SectorCode as S

TERRITORY = Path(__file__).resolve().parent.parent / "organizations" / "data" / "jiangjin.yaml"
#: Contract and test dates are placed relative to this day, never to today.
REFERENCE_DATE = dt.date(2026, 1, 1)
#: Live contracts run to here, so they are live whenever the demo is looked at.
LIVE_CONTRACT_END = dt.date(2030, 12, 31)
BATCH = 2000

# --------------------------------------------------------------------------------------------
# Word lists (data, in Chinese on purpose: names in the demo district)

SURNAMES = (
    "王 李 张 刘 陈 杨 黄 赵 周 吴 徐 孙 朱 马 胡 郭 林 何 高 罗 郑 梁 谢 宋 唐 许 邓 冯 韩 曹 "
    "曾 彭 肖 蔡 潘 田 董 袁 于 余 叶 蒋 杜 苏 魏 程 吕 丁 沈 任 姚 卢 钟 姜 崔 谭 廖 范 汪 陆 "
    "金 石 贾 夏 邱 方 侯 邹 熊 孟 秦 白 江 薛 段 雷 黎 龙 陶 贺 顾 毛 龚 万 向 冉 牟 付 游 黎"
).split()
GIVEN = (
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 英 华 玉 兰 红 建 文 辉 鹏 "
    "飞 斌 宇 浩 凯 健 俊 帆 旭 宁 波 林 琳 婷 雪 梅 莉 倩 晨 欣 怡 佳 颖 雨 思 子 涵 轩 博 然 "
    "瑶 晶 鑫 丹 露 阳 海 峰 永 志 国 春 成 德 清 云 龙 亮 燕 萍 琴 蓉 川 渝 "
    "江 庆 利 荣 兵 毅 彬 松 维 立"
).split()
ESTATE_WORDS = (
    "滨江 锦绣 阳光 翡翠 御景 香榭 半岛 世纪 东方 凯旋 名都 江城 长风 桃园 柑园 江州 龙湾 金港 "
    "天骄 盛世 中央 水岸 清华 天赐 紫薇 幸福 和谐 美景 锦江 艾坪 玉屏 江洲 滨湖 北固 南华 西城 "
    "东门 通泰 聚龙 金色 春晖 朝阳 学府 书香 鼎盛 华庭 枫林 丽水 明珠 银河 星辰 云山 翠湖 金沙 "
    "观澜 锦程 嘉禾 福康 雅苑 鹭岛 望江 临江 沙洲 双桂 白鹭"
).split()
ESTATE_SUFFIXES = (
    "花园 华府 名苑 小区 雅居 公馆 嘉园 丽景 家园 新城 名城 国际 苑 府 庭 湾 佳苑 星城 城 里"
).split()
OLD_ESTATE_SUFFIXES = "新村 小区 宿舍 花园 大院".split()
PUBLIC_WORDS = (
    "津城 鼎盛 华宇 恒信 和兴 天骄 嘉禾 瑞丰 祥和 盛世 德润 福源 佳兴 泰和 宏远 安泰 康桥 怡和 "
    "东升 金鼎 银河 星光 时代 环球 未来 中央 万联 汇通 江景 滨湖 龙腾 锦程 远景 同创 津港 金源 "
    "新天 大通 长江"
).split()
VILLAGE_WORDS = (
    "黄桷 青龙 石坝 新华 光明 高峰 双河 大坪 红星 民主 团结 长岭 金星 庙坝 骑龙 楠木 太平 永丰 "
    "新民 和平 五一 胜利 平安 龙泉 凤凰 石龙 白果 桂花 兴隆 响水 杉树 荷花 竹林 马鞍 "
    "三合 九龙 同心 福寿"
).split()
ROADS = (
    "长江路 人民路 新华路 建设路 民主路 公园路 锦江路 阳光大道 通泰路 文化路 体育路 学府路 "
    "港城大道 滨江路 中山路 东风路 南安路 北环路 西环路 迎宾大道 科技大道 商贸街 正街 新街 "
    "环城路 和平路 育才路"
).split()
ORDINALS = "一 二 三 四 五 六 七 八 九 十".split()
MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 173 176 177 178 "
    "180 181 182 183 185 186 187 188 189 198 199"
).split()

#: Share of the buildings each street/platform gets (of 100); the towns share the rest (30).
MAIN_UNITS = {
    "几江街道": 17,
    "鼎山街道": 13,
    "双福街道": 12,
    "德感街道": 10,
    "圣泉街道": 8,
    "滨江新城": 10,
}
TOWN_WEIGHTS = {
    "白沙镇": 8,
    "珞璜镇": 6,
    "支坪镇": 5,
    "双福新区": 4,
    "油溪镇": 3,
    "德感工业园": 2,
    "珞璜工业园": 2,
    "白沙工业园": 1.5,
    "江津综合保税区": 1.5,
    "龙华镇": 2,
    "李市镇": 2,
    "先锋镇": 2,
    "慈云镇": 1.5,
    "西湖镇": 1.5,
    "四面山镇": 1.2,
    "吴滩镇": 1.2,
    "石门镇": 1.2,
    "贾嗣镇": 1.2,
    "杜市镇": 1.2,
}  # any other unit: 1
#: The first buildings, so that even a tiny demo gives every persona something to see.
FORCED = [
    ("几江街道", U.RESIDENTIAL),
    ("滨江新城", U.RESIDENTIAL),
    ("几江街道", U.EDUCATION),
    ("鼎山街道", U.OFFICE),
    ("双福街道", U.HOTEL),
    ("德感街道", U.COMMERCIAL),
    ("几江街道", U.RESIDENTIAL),
    ("圣泉街道", U.MEDICAL),
]
#: Streets whose estates the property persona manages.
PROPERTY_PERSONA_UNITS = ("几江街道", "鼎山街道", "德感街道")
PROPERTY_PERSONA_BUILDINGS = 40
OWNER_PERSONA_BUILDINGS = 5
SERVICE_PERSONA_BUILDINGS = 25

PLATFORM_GOVERNMENTS = {
    "滨江新城": "滨江新城建设管理中心",
    "双福新区": "双福新区管理委员会",
    "德感工业园": "德感工业园管理委员会",
    "珞璜工业园": "珞璜工业园管理委员会",
    "白沙工业园": "白沙工业园管理委员会",
    "江津综合保税区": "江津综合保税区管理委员会",
}
#: Industry departments: key, formal name, the name the plan uses, sectors supervised.
DEPARTMENTS: list[tuple[str, str, str, list[str]]] = [
    (
        "housing",
        "江津区住房和城乡建设委员会",
        "区住房城乡建委",
        [S.RESIDENTIAL, S.CONSTRUCTION, S.COMMERCIAL, S.OFFICE, S.HOTEL],
    ),
    ("education", "江津区教育委员会", "区教委", [S.EDUCATION]),
    ("health", "江津区卫生健康委员会", "区卫生健康委", [S.MEDICAL]),
    ("civil_affairs", "江津区民政局", "区民政局", [S.ELDERLY_CARE]),
    ("culture_tourism", "江津区文化和旅游发展委员会", "区文化旅游委", [S.CULTURE_TOURISM, S.HOTEL]),
    ("commerce", "江津区商务委员会", "区商务委", [S.COMMERCIAL]),
    ("urban_management", "江津区城市管理局", "区城市管理局", []),
    ("planning", "重庆市江津区规划和自然资源局", "江津区规划自然资源局", []),
    ("emergency", "江津区应急管理局", "区应急局", []),
    ("public_security", "重庆市公安局江津区分局", "区公安局", []),
    ("economy", "江津区经济和信息化委员会", "区经济信息委", [S.INDUSTRY, S.TELECOM]),
    ("big_data", "江津区大数据应用发展管理局", "区大数据发展局", []),
    ("market", "重庆市江津区市场监督管理局", "江津区市场监管局", []),
    ("transport", "江津区交通局", "区交通局", [S.TRANSPORT]),
    ("finance", "江津区人民政府金融工作办公室", "区金融办", [S.FINANCE]),
    ("government_affairs", "江津区机关事务管理局", "区机关事务局", [S.GOVERNMENT]),
    ("justice", "江津区司法局", "区司法局", []),
    ("development_reform", "江津区发展和改革委员会", "区发展改革委", []),
    ("treasury", "江津区财政局", "区财政局", []),
    ("publicity", "中共重庆市江津区委宣传部", "区委宣传部", []),
    ("human_resources", "江津区人力资源和社会保障局", "区人力社保局", []),
    ("central_bank", "中国人民银行江津中心支行", "人行江津中心支行", []),
    ("banking_regulator", "中国银保监会江津监管分局", "江津银保监分局", []),
]
#: The department answerable for a building, by its main sector.
SECTOR_DEPARTMENT = {
    S.RESIDENTIAL: "housing",
    S.CONSTRUCTION: "housing",
    S.OFFICE: "housing",
    S.COMMERCIAL: "commerce",
    S.HOTEL: "culture_tourism",
    S.MEDICAL: "health",
    S.EDUCATION: "education",
    S.ELDERLY_CARE: "civil_affairs",
    S.CULTURE_TOURISM: "culture_tourism",
    S.FINANCE: "finance",
    S.TELECOM: "economy",
    S.TRANSPORT: "transport",
    S.GOVERNMENT: "government_affairs",
    S.INDUSTRY: "economy",
}
USE_SECTORS: dict[str, list[str]] = {
    U.RESIDENTIAL: [S.RESIDENTIAL],
    U.RESIDENTIAL_WITH_OUTLETS: [S.RESIDENTIAL, S.COMMERCIAL],
    U.DORMITORY: [S.RESIDENTIAL],
    U.OFFICE: [S.OFFICE],
    U.COMMERCIAL: [S.COMMERCIAL],
    U.EXHIBITION: [S.CULTURE_TOURISM, S.COMMERCIAL],
    U.TELECOM: [S.TELECOM],
    U.POSTAL: [S.TELECOM],
    U.FINANCE: [S.FINANCE],
    U.MIXED: [S.COMMERCIAL, S.OFFICE, S.HOTEL],
    U.HOTEL: [S.HOTEL],
    U.MEDICAL: [S.MEDICAL],
    U.ELDERLY_CARE: [S.ELDERLY_CARE],
    U.EDUCATION: [S.EDUCATION],
    U.CULTURE: [S.CULTURE_TOURISM],
    U.LIBRARY: [S.CULTURE_TOURISM],
    U.BROADCAST_DISPATCH: [S.TELECOM],
    U.TRANSPORT: [S.TRANSPORT],
    U.OTHER_PUBLIC: [S.INDUSTRY],
}
#: Public uses: weight, height range (m), storey height range (m), storey area range (m²), names.
PUBLIC_USES: dict[
    str, tuple[float, tuple[int, int], tuple[float, float], tuple[int, int], list[str]]
] = {
    U.OFFICE: (
        22,
        (30, 180),
        (3.6, 4.2),
        (800, 2000),
        ["{w}大厦", "{w}商务中心", "{w}写字楼", "{w}总部大楼"],
    ),
    U.COMMERCIAL: (
        12,
        (25, 100),
        (4.0, 5.0),
        (1200, 5000),
        ["{w}广场", "{w}购物中心", "{w}商业中心"],
    ),
    U.MIXED: (14, (40, 180), (3.6, 4.4), (1500, 6000), ["{w}中心", "{w}城市综合体", "{w}国际广场"]),
    U.HOTEL: (8, (30, 150), (3.2, 3.6), (900, 2200), ["{w}大酒店", "{w}酒店", "{w}国际酒店"]),
    U.MEDICAL: (6, (25, 80), (3.8, 4.4), (1000, 3000), ["{w}医院住院楼", "{w}医院门诊综合楼"]),
    U.EDUCATION: (
        8,
        (25, 70),
        (3.6, 4.2),
        (800, 2000),
        ["{w}中学教学综合楼", "{w}学院图书信息楼", "{w}职业学校实训楼"],
    ),
    U.ELDERLY_CARE: (
        3,
        (25, 60),
        (3.3, 3.8),
        (600, 1500),
        ["{w}养老中心", "{w}颐养院", "{w}康养中心"],
    ),
    U.DORMITORY: (
        8,
        (25, 60),
        (3.0, 3.4),
        (500, 1200),
        ["{w}人才公寓", "{w}职工宿舍楼", "{w}学生公寓"],
    ),
    U.CULTURE: (3, (25, 60), (4.5, 6.0), (1000, 3000), ["{w}文化艺术中心", "{w}文化中心"]),
    U.LIBRARY: (1, (25, 50), (4.2, 5.0), (1000, 2500), ["{w}图书馆"]),
    U.FINANCE: (4, (40, 150), (3.6, 4.2), (800, 2000), ["{w}金融大厦", "{w}银行大楼"]),
    U.TELECOM: (2, (30, 100), (4.0, 4.8), (800, 2000), ["{w}通信枢纽楼", "{w}数据中心"]),
    U.POSTAL: (1, (25, 60), (4.0, 4.8), (800, 1800), ["{w}邮政综合楼"]),
    U.TRANSPORT: (2, (25, 60), (4.5, 6.0), (1200, 3000), ["{w}交通枢纽综合楼", "{w}客运中心"]),
    U.EXHIBITION: (1, (25, 50), (5.0, 6.5), (2000, 5000), ["{w}会展中心"]),
    U.BROADCAST_DISPATCH: (0.3, (30, 80), (4.0, 4.8), (800, 1800), ["{w}电力调度大楼"]),
    U.OTHER_PUBLIC: (5, (25, 80), (3.8, 4.5), (800, 2500), ["{w}科研大楼", "{w}研发中心"]),
}
#: Residential height bands (m) and their weights.
RESIDENTIAL_BANDS = [
    ((24.0, 27.0), 7),
    ((28.0, 34.0), 24),
    ((34.0, 54.0), 26),
    ((54.1, 80.0), 20),
    ((80.0, 99.9), 20),
    ((100.0, 150.0), 3),
]
FAULT_NOTES = {
    FireSystemKind.ALARM: ["火灾报警控制器故障报警未处理", "部分探测器被遮挡", "控制器主电故障"],
    FireSystemKind.SPRINKLER: ["喷淋泵控制柜处于手动状态", "末端试水装置压力不足", "报警阀组漏水"],
    FireSystemKind.INDOOR_HYDRANT: [
        "消火栓箱内水带缺失",
        "屋顶水箱水位不足",
        "消火栓泵无法联动启动",
    ],
    FireSystemKind.SMOKE_CONTROL: ["正压送风机无法启动", "排烟口无法开启"],
    FireSystemKind.EMERGENCY_LIGHTING: ["应急照明蓄电池失效", "疏散指示标志损坏"],
    FireSystemKind.FIRE_LIFT: ["消防电梯迫降功能失效", "消防电梯前室堆放杂物"],
    FireSystemKind.CONTROL_ROOM: ["消防控制室值班人员无证上岗", "消防控制室单人值班"],
    FireSystemKind.GAS_SUPPRESSION: ["气瓶压力不足"],
    FireSystemKind.ELECTRICAL_MONITORING: ["监控设备离线"],
}
