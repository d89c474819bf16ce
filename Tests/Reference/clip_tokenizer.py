"""Token ids from open_clip's reference tokenizer (SimpleTokenizer with ftfy), for the Swift BPE
tokenizer to match exactly. Run: python Tests/Reference/clip_tokenizer.py
(needs open-clip-torch==3.3.0, ftfy, regex)."""
import json
import os

from open_clip.tokenizer import SimpleTokenizer

OUT = os.path.join(os.path.dirname(__file__), "..", "Fixtures", "tokenizer_cases.json")
tok = SimpleTokenizer()
sot, eot = tok.sot_token_id, tok.eot_token_id

descriptors = [
    "a smiling mouth, raised cheeks, wrinkled eyes, and arched eyebrows.",
    "tears, a downward turned mouth, drooping upper eyelids, and a wrinkled forehead.",
    "relaxed facial muscles, a straight mouth, a smooth forehead, and unremarkable eyebrows.",
    "furrowed eyebrows, narrow eyes, tightened lips, and flared nostrils.",
    "widened eyes, an open mouth, raised eyebrows, and a frozen expression.",
    "a wrinkled nose, lowered eyebrows, a tightened mouth, and narrow eyes.",
    "raised eyebrows, parted lips, a furrowed brow, and a retracted chin.",
    "one side of its mouth raised, one eyebrow lower and one raised, narrowed eyes, and a raised chin.",
    "a tensed forehead, tightly pressed lips, pupil dilation, and tensed facial muscles.",
    "drooping eyebrows, a downward gaze, a downturned mouth, and lacking expression.",
    "a downturned mouth, lowered eyebrows, narrowed eyes, and a sighing face.",
]
labels = ["happiness", "sadness", "neutral", "anger", "surprise", "disgust", "fear",
          "contempt", "anxiety", "helplessness", "disappointment"]
texts = list(descriptors)
for l in labels:
    texts += [f"A person with an expression of {l}", f"A person with an expression of no {l}",
              f"A person with an expression of less {l}", f"{l}.", f"an expression of {l}."]
texts += [
    "The person's eyebrows are raised and drawn together, the eyes widen, and the mouth opens slightly.",
    "At first the face is relaxed; then the lip corners pull up and the cheeks rise, forming a broad smile.",
    "Her brows lower and knit, the upper lip rises, and the nose wrinkles as she turns her head to the left.",
    "The man's jaw drops, his eyes open wide and his eyebrows shoot up for about half a second.",
    "Tears well up; the lower lip trembles while the inner corners of the eyebrows rise.",
    "The lips press together tightly and the chin pushes up; the gaze stays fixed on something off-screen.",
    "He blinks twice, glances down, and the corners of his mouth turn down slightly.",
    "Head pitch changes by roughly 10 degrees while the mouth stretches horizontally (lip stretcher, AU20).",
    "AU1+AU2+AU5+AU26: inner and outer brow raiser, upper lid raiser, jaw drop.",
    "No visible movement: the face stays neutral throughout the clip.",
]
texts += [
    "", " ", "   \t\n  ", "a", "A", "AAAA", "Hello, World!", "hello world", "HELLO   WORLD", "don't", "DON'T", "it's",
    "we're", "they've", "I'm", "you'll", "he'd", "rock'n'roll", "l'amour", "o'clock",
    "...", "?!?!", "!!!", "---", "(parentheses)", "[brackets]", "{braces}", "a/b\\c", "semi;colon:colon",
    "quote \"double\" and 'single'", "“curly” ‘quotes’", "email@example.com", "https://example.com/a?b=c&d=e",
    "#hashtag @mention", "50%", "$100.00", "3.14159", "1,000,000", "2024-11-26", "12:30pm", "v1.2.3", "0", "007",
    "123456789", "x²", "½ cup", "№5", "1st 2nd 3rd 4th", "Ⅻ", "٣ ٤", "¹²³",
    "café", "naïve", "résumé", "façade", "Müller", "Straße", "Ångström", "señor", "crème brûlée", "Zoë",
    "cafe\u0301", "Ελληνικά", "ΑΒΓ", "Москва", "Привет мир", "עברית", "العربية", "हिन्दी", "ไทย",
    "中文", "漢字かな交じり文", "日本語のテキスト", "한국어", "表情识别", "笑顔", "ＦＵＬＬＷＩＤＴＨ", "ｆｕｌｌ　ｗｉｄｔｈ",
    "😀", "😂🤣", "👍🏽", "👨‍👩‍👧", "🇫🇷", "❤️", "smile 😊 please", "☺", "✓ done", "→ next", "★★★☆☆",
    "ﬁne ﬂow", "&amp; &lt;tag&gt; &quot;q&quot; &#39;s&#39; &#x263A;", "tab\tseparated", "line\nbreak", "cr\r\nlf",
    "zero\u200bwidth", "soft\u00adhyphen", "nbsp\u00a0space", "control\u0007bell", "<|startoftext|>", "<|endoftext|>",
    "a <|endoftext|> b", "<start_of_text>", "a <end_of_text> b", "UPPER lower MiXeD", "snake_case_name", "camelCaseName", "kebab-case-name", "C++", "C#", "F#",
    "x=y+z", "a*b/c", "~tilde~", "^caret^", "`backtick`", "|pipe|", "<angle>", "under_score", "dot.dot.dot",
    "multiple     spaces", "trailing space ", " leading space", "ß", "İstanbul", "ǅemal", "ĳssel", "Ĳssel",
]
long = "The eyebrows rise, the eyes widen and the mouth opens " * 12
texts += [long, long.upper(), " ".join(descriptors), "word " * 80, "a" * 300, "😀" * 100, "中" * 120]
words = ["brow", "lid", "cheek", "lip", "jaw", "nose", "chin", "gaze", "smile", "frown"]
for i in range(40):
    texts.append(" ".join(words[(i * 7 + k * 3) % len(words)] + ("s" if (i + k) % 3 == 0 else "") for k in range(i % 9 + 2)))

cases = []
for t in texts:
    ids = [sot] + tok.encode(t) + [eot]
    if len(ids) > 77:
        ids = ids[:77]
        ids[-1] = eot
    cases.append({"text": t, "ids": ids})
with open(OUT, "w", encoding="utf-8") as f:
    json.dump({"generator": "Tests/Reference/clip_tokenizer.py (open_clip 3.3.0 SimpleTokenizer)", "cases": cases}, f,
              ensure_ascii=False, indent=0)
print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")
