"""The words of the contribution and review pages, in English and Chinese."""

from __future__ import annotations

from flask import request

LANGUAGES = ("zh", "en")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Contribute a record",
        "intro": "Tell us about a patient organization the graph does not know yet, or correct "
                 "what it says about one. A maintainer reviews every submission before it enters "
                 "the graph; approved records are published with their source: this submission, "
                 "self-reported.",
        "switch": "中文",
        "kind": "What are you sending?",
        "kind_new": "A new organization",
        "kind_correction": "A correction to an existing record",
        "target": "The record to correct (its IRI or address)",
        "target_hint": "For example https://w3id.org/rarekg/id/org/moon-children-home. Find it "
                       "with the search box above.",
        "names": "Names",
        "name_zh": "Name in Chinese",
        "name_en": "Name in English",
        "alt_names": "Other names, one per line",
        "organizationType": "Kind of organization",
        "none": "(not stated)",
        "diseases": "Diseases served, from China's national rare disease lists",
        "disease_search": "Find a disease by any name or number (瓷娃娃, Fabry, 1-86)",
        "selected": "chosen",
        "list1": "First National List (2018)",
        "list2": "Second National List (2023)",
        "other_diseases": "Other diseases (not on the lists), one per line",
        "registration": "Registration",
        "registrationStatus": "Registration status",
        "registrationAuthority": "Registering authority",
        "foundingDate": "Founding date (YYYY, YYYY-MM or YYYY-MM-DD)",
        "location": "City or province",
        "country": "Country or region (ISO code: CN, HK, TW, US, ...)",
        "activity": "Activities",
        "fundingSource": "Funding",
        "website": "Website",
        "description": "Short description",
        "evidence": "Evidence",
        "evidence_hint": "A correction needs a public source that states the facts: its address, "
                         "its title and the sentence of it that says so (at most 300 characters, "
                         "copied without changes).",
        "evidence_url": "Address of the source",
        "evidence_title": "Title of the source",
        "evidence_quote": "The sentence that states it",
        "note": "Note to the reviewer (not published)",
        "contact": "Your contact (seen only by the reviewers, never published)",
        "contact_name": "Your name",
        "contact_email": "Email",
        "contact_phone": "Phone",
        "contact_other": "Other (WeChat, ...)",
        "submit": "Send for review",
        "problems": "Please check these fields:",
        "received": "Thank you: your submission was received",
        "status_title": "Submission",
        "follow": "Follow its status at this address:",
        "status": "Status",
        "pending": "waiting for review",
        "approved": "approved: in the graph",
        "rejected": "not accepted",
        "reason": "Reason",
        "record_page": "The record in the graph",
        "submitted_on": "Submitted on",
        "reviewed_on": "Reviewed on",
        "your_record": "The record as submitted",
        "property": "Property",
        "value": "Value",
        "source": "Source",
        "self_report": "self-reported",
    },
    "zh": {
        "title": "提交信息",
        "intro": "请告诉我们图谱中尚未收录的患者组织，或更正图谱中关于某个组织的信息。"
                 "每条提交都由维护者审核后才会进入图谱；"
                 "通过审核的记录将连同其来源（即本次提交，注明为自报）一起公开。",
        "switch": "English",
        "kind": "您要提交什么？",
        "kind_new": "一个新的组织",
        "kind_correction": "对已有记录的更正",
        "target": "要更正的记录（IRI 或网址）",
        "target_hint": "例如 https://w3id.org/rarekg/id/org/moon-children-home，可用上方搜索框查找。",
        "names": "名称",
        "name_zh": "中文名称",
        "name_en": "英文名称",
        "alt_names": "其他名称，每行一个",
        "organizationType": "组织类型",
        "none": "（未说明）",
        "diseases": "服务的疾病（选自国家罕见病目录）",
        "disease_search": "按名称或序号查找疾病（瓷娃娃、法布雷病、1-86）",
        "selected": "已选",
        "list1": "第一批罕见病目录（2018）",
        "list2": "第二批罕见病目录（2023）",
        "other_diseases": "其他疾病（不在目录中），每行一个",
        "registration": "登记注册",
        "registrationStatus": "登记状态",
        "registrationAuthority": "登记管理机关",
        "foundingDate": "成立日期（YYYY、YYYY-MM 或 YYYY-MM-DD）",
        "location": "所在城市或省份",
        "country": "国家或地区（ISO 代码：CN、HK、TW、US 等）",
        "activity": "开展的活动",
        "fundingSource": "资金来源",
        "website": "网站",
        "description": "简介",
        "evidence": "依据",
        "evidence_hint": "更正需要一个公开来源：其网址、标题，"
                         "以及其中陈述该事实的原句（不超过300字，原文照录）。",
        "evidence_url": "来源网址",
        "evidence_title": "来源标题",
        "evidence_quote": "陈述该事实的原句",
        "note": "给审核者的说明（不公开）",
        "contact": "您的联系方式（仅审核者可见，绝不公开）",
        "contact_name": "您的姓名",
        "contact_email": "电子邮箱",
        "contact_phone": "电话",
        "contact_other": "其他（微信等）",
        "submit": "提交审核",
        "problems": "请检查以下内容：",
        "received": "谢谢！您的提交已收到",
        "status_title": "提交",
        "follow": "可在此网址查看处理状态：",
        "status": "状态",
        "pending": "等待审核",
        "approved": "已通过，已进入图谱",
        "rejected": "未通过",
        "reason": "原因",
        "record_page": "图谱中的记录",
        "submitted_on": "提交时间",
        "reviewed_on": "审核时间",
        "your_record": "提交的记录",
        "property": "属性",
        "value": "值",
        "source": "来源",
        "self_report": "自报",
    },
}


def language() -> str:
    """``?lang=zh|en``, else the client's preference (Chinese unless English comes first)."""
    chosen = request.args.get("lang", "")
    if chosen in LANGUAGES:
        return chosen
    best = request.accept_languages.best_match(["zh", "zh-CN", "zh-TW", "en"], default="zh")
    return "en" if best == "en" else "zh"
