#!/usr/bin/env python3
"""Builds tests/fixtures/articles/: article pages for the full-text extraction tests and metrics.

No article HTML can be downloaded where the fixtures are made, so each page is real, openly
licensed news text (NTREX-128, CC BY-SA 4.0: whole WMT19 news documents in Arabic, Persian and
English) wrapped in the markup real sites put around an article: cookie banners, navigation,
tickers, share bars, related and most-read lists, newsletter forms, comment widgets, footers.
The boilerplate lists carry real text too (other NTREX headlines and Wikipedia "In the news"
blurbs from the demo archive, CC BY-SA 3.0), so it reads like prose, as it does on real pages.

Each page has a `.gold.txt` beside it: the article's paragraphs, one per line, exactly as placed
in the page. Reads only committed files, so it reruns on a clone without ../shared.
"""
import html
import json
import pathlib
import random
from collections import OrderedDict

ROOT = pathlib.Path(__file__).resolve().parent.parent
NTREX = ROOT / "tests/fixtures/text/ntrex128"
DEMO = ROOT / "assets/demo/itn-demo.jsonl"
OUT = ROOT / "tests/fixtures/articles"

FILES = {"ar": "newstest2019-ref.arb.txt", "fa": "newstest2019-ref.fas.txt", "en": "newstest2019-ref.eng-US.txt"}
# Documents chosen for length (14-27 lines) and variety (politics, sport, science, business).
DOCS = ["bbc.381746", "reuters.218863", "nytimes.184853", "guardian.221754"]
TEMPLATES = ["news", "wiki", "portal", "news"]

UI = {
    "en": dict(
        dir="ltr", site="The Daily Ledger", home="Home", sections=["World", "Politics", "Business", "Science", "Sport", "Culture", "Opinion", "Video"],
        cookie="We use cookies to personalise content and ads, to provide social media features and to analyse our traffic. By continuing you agree to our cookie policy.",
        accept="Accept all", manage="Manage preferences", breaking="Breaking", share="Share this article", related="Related stories",
        most_read="Most read", newsletter="Get our morning briefing in your inbox every day. Sign up now and never miss a story.",
        subscribe="Subscribe", comments="Comments (34)", comment_prompt="Join the conversation: log in to comment. Please read our community guidelines before posting.",
        footer=["About us", "Contact", "Careers", "Advertise", "Terms of use", "Privacy policy", "Accessibility"],
        copyright="Copyright 2024 The Daily Ledger. All rights reserved.", by="By", staff="Staff reporter", news="In the news",
        tags="Topics", ad="Advertisement", wiki_from="From Wikipedia, the free encyclopedia", contents="Contents", refs="References",
        wiki_nav=["Main page", "Contents", "Current events", "Random article", "About Wikipedia", "Contact us", "Donate"],
        licence="Text is available under the Creative Commons Attribution-ShareAlike License; additional terms may apply.",
        read_more="Read more", updated="Updated",
    ),
    "ar": dict(
        dir="rtl", site="صحيفة الميزان", home="الرئيسية", sections=["العالم", "سياسة", "اقتصاد", "علوم", "رياضة", "ثقافة", "رأي", "فيديو"],
        cookie="نستخدم ملفات تعريف الارتباط لتخصيص المحتوى والإعلانات وتوفير ميزات التواصل الاجتماعي وتحليل حركة المرور. باستمرارك في التصفح فإنك توافق على سياسة ملفات تعريف الارتباط.",
        accept="قبول الكل", manage="إدارة التفضيلات", breaking="عاجل", share="شارك هذا المقال", related="أخبار ذات صلة",
        most_read="الأكثر قراءة", newsletter="احصل على النشرة الصباحية في بريدك كل يوم. اشترك الآن ولا تفوّت أي خبر.",
        subscribe="اشترك", comments="التعليقات (34)", comment_prompt="شارك في النقاش: سجّل الدخول للتعليق. يرجى قراءة إرشادات المجتمع قبل النشر.",
        footer=["من نحن", "اتصل بنا", "وظائف", "أعلن معنا", "شروط الاستخدام", "سياسة الخصوصية", "إمكانية الوصول"],
        copyright="جميع الحقوق محفوظة لصحيفة الميزان 2024", by="بقلم", staff="محرر الشؤون الدولية", news="في الأخبار",
        tags="مواضيع", ad="إعلان", wiki_from="من ويكيبيديا، الموسوعة الحرة", contents="المحتويات", refs="المراجع",
        wiki_nav=["الصفحة الرئيسية", "الأحداث الجارية", "مقالة عشوائية", "عن ويكيبيديا", "اتصل بنا", "تبرع"],
        licence="النصوص منشورة برخصة المشاع الإبداعي. طالع شروط الاستخدام للتفاصيل.",
        read_more="اقرأ المزيد", updated="آخر تحديث",
    ),
    "fa": dict(
        dir="rtl", site="روزنامه آینه", home="صفحه اصلی", sections=["جهان", "سیاست", "اقتصاد", "علم", "ورزش", "فرهنگ", "دیدگاه", "ویدیو"],
        cookie="ما از کوکی‌ها برای شخصی‌سازی محتوا و تبلیغات، ارائه امکانات شبکه‌های اجتماعی و تحلیل ترافیک استفاده می‌کنیم. با ادامه مرور، سیاست کوکی ما را می‌پذیرید.",
        accept="پذیرفتن همه", manage="مدیریت ترجیحات", breaking="فوری", share="این مطلب را هم‌رسانی کنید", related="مطالب مرتبط",
        most_read="پربازدیدترین‌ها", newsletter="خبرنامه صبحگاهی را هر روز در صندوق ایمیل خود دریافت کنید. همین حالا مشترک شوید.",
        subscribe="اشتراک", comments="نظرها (۳۴)", comment_prompt="در گفت‌وگو شرکت کنید: برای نوشتن نظر وارد شوید. پیش از ارسال، قواعد انجمن را بخوانید.",
        footer=["درباره ما", "تماس با ما", "فرصت‌های شغلی", "آگهی", "شرایط استفاده", "حریم خصوصی", "دسترس‌پذیری"],
        copyright="تمامی حقوق برای روزنامه آینه محفوظ است ۱۴۰۳", by="نویسنده", staff="خبرنگار سرویس بین‌الملل", news="در خبرها",
        tags="موضوع‌ها", ad="آگهی", wiki_from="از ویکی‌پدیا، دانشنامهٔ آزاد", contents="محتویات", refs="منابع",
        wiki_nav=["صفحهٔ اصلی", "رویدادهای کنونی", "مقالهٔ تصادفی", "دربارهٔ ویکی‌پدیا", "تماس با ما", "کمک مالی"],
        licence="متن تحت مجوز کریتیو کامنز اختیاری-همسان‌سازی در دسترس است؛ ممکن است شرایط دیگری نیز اعمال شود.",
        read_more="بیشتر بخوانید", updated="به‌روزرسانی",
    ),
}


def documents(lang):
    ids = [l.strip() for l in (NTREX / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").splitlines()]
    lines = (NTREX / FILES[lang]).read_text(encoding="utf-8").splitlines()
    docs = OrderedDict()
    for doc, line in zip(ids, lines):
        docs.setdefault(doc, []).append(line.strip())
    return docs


def itn(lang):
    out = []
    for row in DEMO.read_text(encoding="utf-8").splitlines():
        r = json.loads(row)
        if r["lang"] == lang:
            out.append(r["title"])
    return out


def e(s):
    return html.escape(s, quote=True)


def links(items, cls="", href_base="/news/"):
    return "\n".join(f'<li class="{cls}"><a href="{href_base}{i + 1000}">{e(t)}</a></li>' for i, t in enumerate(items))


def paragraphs(doc):
    """Title (first line) and body paragraphs: lines grouped two or three per paragraph."""
    title, body = doc[0], doc[1:]
    paras, i, rng = [], 0, random.Random(len(body))
    while i < len(body):
        n = rng.choice([1, 2, 2, 3])
        paras.append(" ".join(body[i:i + n]))
        i += n
    return title, paras


def head(ui, lang, title):
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{ui['dir']}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} | {e(ui['site'])}</title>
<meta property="og:title" content="{e(title)}">
<meta property="og:site_name" content="{e(ui['site'])}">
<link rel="stylesheet" href="/static/css/main.4f3a2c.css">
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag('js',new Date());gtag('config','G-XXXX');</script>
<script async src="/static/js/ads.bundle.js"></script>
<style>.cookie-banner{{position:fixed;bottom:0}}.ad-slot{{min-height:250px}}</style>
</head>"""


def cookie(ui):
    return f"""<div id="cookie-consent" class="cookie-banner" role="dialog">
<p>{e(ui['cookie'])}</p>
<button class="btn-accept">{e(ui['accept'])}</button> <button class="btn-manage">{e(ui['manage'])}</button>
</div>"""


def nav(ui):
    items = "".join(f'<li><a href="/section/{i}">{e(s)}</a></li>' for i, s in enumerate(ui["sections"]))
    return f"""<header class="site-header">
<a class="logo" href="/">{e(ui['site'])}</a>
<nav class="main-nav" aria-label="primary"><ul><li><a href="/">{e(ui['home'])}</a></li>{items}</ul></nav>
<form class="search" action="/search"><input type="search" name="q"><button>&#128269;</button></form>
</header>"""


def footer(ui):
    items = " ".join(f'<a href="/page/{i}">{e(s)}</a>' for i, s in enumerate(ui["footer"]))
    return f"""<footer class="site-footer">
<nav class="footer-links">{items}</nav>
<p class="copyright">{e(ui['copyright'])}</p>
</footer>"""


def news_page(lang, ui, title, paras, others, blurbs):
    body = "\n".join(f"<p>{e(p)}</p>" for p in paras)
    mid = len(paras) // 2
    body_parts = [f"<p>{e(p)}</p>" for p in paras]
    body_parts.insert(mid, f'<div class="ad-slot inline-ad"><span class="ad-label">{e(ui["ad"])}</span><iframe src="/ads/slot-3" title="ad"></iframe></div>')
    body = "\n".join(body_parts)
    return f"""{head(ui, lang, title)}
<body class="article-page">
{cookie(ui)}
{nav(ui)}
<div class="ticker"><strong>{e(ui['breaking'])}:</strong> <a href="/live">{e(blurbs[0])}</a></div>
<main id="main">
<article class="story">
<header><h1 class="headline">{e(title)}</h1>
<p class="byline">{e(ui['by'])} <a href="/author/7">{e(ui['staff'])}</a> · <time datetime="2019-05-14T09:30:00Z">14/05/2019</time></p></header>
<div class="share-bar"><span>{e(ui['share'])}</span> <a href="/share/fb">Facebook</a> <a href="/share/x">X</a> <a href="/share/wa">WhatsApp</a> <a href="/share/mail">Email</a></div>
<div class="story-body">
{body}
</div>
<div class="tags"><span>{e(ui['tags'])}:</span> <a href="/tag/1">{e(ui['sections'][0])}</a> <a href="/tag/2">{e(ui['sections'][1])}</a></div>
</article>
<section class="related"><h2>{e(ui['related'])}</h2><ul>
{links(others[:5], "related-item")}
</ul></section>
<section class="newsletter"><p>{e(ui['newsletter'])}</p><form><input type="email"><button>{e(ui['subscribe'])}</button></form></section>
<section class="comments"><h2>{e(ui['comments'])}</h2><p>{e(ui['comment_prompt'])}</p></section>
</main>
<aside class="sidebar"><h2>{e(ui['most_read'])}</h2><ol>
{links(blurbs[1:7], "most-read-item")}
</ol><div class="ad-slot"><span class="ad-label">{e(ui['ad'])}</span></div></aside>
{footer(ui)}
<script src="/static/js/app.7d1e.js"></script>
</body>
</html>
"""


def wiki_page(lang, ui, title, paras, others, blurbs):
    sections = [paras[: len(paras) // 2], paras[len(paras) // 2:]]
    content = f"<p>{e(sections[0][0])}</p>\n"
    content += f'<div id="toc" class="toc" role="navigation"><h2>{e(ui["contents"])}</h2><ul><li><a href="#s1">1 {e(ui["sections"][1])}</a></li><li><a href="#s2">2 {e(ui["sections"][0])}</a></li><li><a href="#refs">3 {e(ui["refs"])}</a></li></ul></div>\n'
    content += "\n".join(f"<p>{e(p)}</p>" for p in sections[0][1:])
    content += f'\n<h2 id="s2"><span class="mw-headline">{e(ui["sections"][0])}</span><span class="mw-editsection">[<a href="/edit">edit</a>]</span></h2>\n'
    content += "\n".join(f"<p>{e(p)}</p>" for p in sections[1])
    refs = "\n".join(f'<li id="cite_note-{i}"><span class="reference-text"><a class="external" href="https://example.org/{i}">{e(t)}</a></span></li>' for i, t in enumerate(others[:4]))
    portlet = "\n".join(f'<li><a href="/wiki/{i}">{e(s)}</a></li>' for i, s in enumerate(ui["wiki_nav"]))
    itn_box = "\n".join(f"<li>{e(b)}</li>" for b in blurbs[:4])
    return f"""{head(ui, lang, title)}
<body class="mediawiki skin-vector">
<div id="mw-page-base"></div>
<div id="content" class="mw-body" role="main">
<h1 id="firstHeading" class="firstHeading">{e(title)}</h1>
<div id="siteSub">{e(ui['wiki_from'])}</div>
<div id="bodyContent" class="vector-body">
<div id="mw-content-text"><div class="mw-parser-output">
{content}
<h2 id="refs"><span class="mw-headline">{e(ui['refs'])}</span></h2>
<div class="reflist"><ol class="references">
{refs}
</ol></div>
<div role="navigation" class="navbox"><table><tr><th>{e(ui['news'])}</th></tr><tr><td><ul>{itn_box}</ul></td></tr></table></div>
</div></div>
<div id="catlinks" class="catlinks"><a href="/wiki/cat1">{e(ui['sections'][1])}</a> | <a href="/wiki/cat2">{e(ui['sections'][0])}</a></div>
</div></div>
<div id="mw-navigation"><div id="mw-panel"><div class="portal" id="p-navigation"><ul>
{portlet}
</ul></div></div></div>
<div id="footer" role="contentinfo"><ul id="footer-info"><li>{e(ui['licence'])}</li></ul>
<ul id="footer-places">{" ".join(f'<li><a href="/f/{i}">{e(s)}</a></li>' for i, s in enumerate(ui['footer'][:4]))}</ul></div>
</body>
</html>
"""


def portal_page(lang, ui, title, paras, others, blurbs):
    # Div soup with no semantic tags and prose-like teasers: the hard case for extractors.
    body = "\n".join(f'<div class="txt-par">{e(p)}</div>' for p in paras)
    teasers = "\n".join(
        f'<div class="teaser"><a class="teaser-title" href="/n/{i}">{e(t)}</a><div class="teaser-lead">{e(b)}</div><a href="/n/{i}">{e(ui["read_more"])}</a></div>'
        for i, (t, b) in enumerate(zip(others[1:5], blurbs[2:6]))
    )
    return f"""{head(ui, lang, title)}
<body>
{cookie(ui)}
<div class="wrapper">
{nav(ui)}
<div class="row">
<div class="col-left">
<div class="box"><div class="box-title">{e(ui['news'])}</div>{links(blurbs[6:10], "box-item")}</div>
<div class="banner"><a href="/promo"><img src="/img/banner.jpg" alt="{e(ui['ad'])}"></a></div>
</div>
<div class="col-main">
<div class="breadcrumb"><a href="/">{e(ui['home'])}</a> › <a href="/section/1">{e(ui['sections'][1])}</a></div>
<div class="news-title">{e(title)}</div>
<div class="news-meta">{e(ui['updated'])}: 1398/02/24 - 14:30 | {e(ui['staff'])}</div>
<div class="content-body">
{body}
</div>
<div class="share"><a href="/s/t">Telegram</a> <a href="/s/w">WhatsApp</a> <a href="/s/x">X</a></div>
<div class="more-news"><div class="box-title">{e(ui['related'])}</div>
{teasers}
</div>
</div>
<div class="col-right"><div class="box"><div class="box-title">{e(ui['most_read'])}</div><ul>{links(others[5:9], "mr")}</ul></div>
<div class="newsletter-box">{e(ui['newsletter'])} <input type="email"> <button>{e(ui['subscribe'])}</button></div></div>
</div>
{footer(ui)}
</div>
</body>
</html>
"""


BUILDERS = {"news": news_page, "wiki": wiki_page, "portal": portal_page}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for lang, ui in UI.items():
        docs = documents(lang)
        heads = [d[0] for k, d in docs.items() if k not in DOCS]
        blurbs = itn(lang)
        for n, (doc_id, template) in enumerate(zip(DOCS, TEMPLATES)):
            title, paras = paragraphs(docs[doc_id])
            rng = random.Random(f"{lang}{doc_id}")
            others = rng.sample(heads, 10)
            bl = rng.sample(blurbs, 10)
            page = BUILDERS[template](lang, ui, title, paras, others, bl)
            name = f"{lang}-{n + 1}-{template}"
            (OUT / f"{name}.html").write_text(page, encoding="utf-8")
            (OUT / f"{name}.gold.txt").write_text("\n".join(paras) + "\n", encoding="utf-8")
            print(name, doc_id, len(page.encode()), "bytes")


if __name__ == "__main__":
    main()
