"""Prompts in other languages and scripts are scored on what they ask, not on their script."""

from __future__ import annotations

import math

import pytest

from classifiers.feature_schema import FEATURE_NAMES, NON_ASCII_FEATURE
from classifiers.features import DENSE_CHARS_PER_WORD, handcrafted
from classifiers.model import ComplexityEstimator
from classifiers.text import parse_messages
from tests.classifiers.conftest import EASY, HARD

GREETINGS = {
    "en": "Hi, how are you?",
    "zh": "你好，今天天气怎么样？",
    "ja": "こんにちは！元気ですか？",
    "ko": "안녕하세요, 잘 지내세요?",
    "ru": "Привет! Как дела?",
    "es": "Hola, ¿cómo estás?",
}
PROOFS = {
    "en": "Prove that for every positive integer n, n^3 - n is divisible by 6.",
    "zh": "证明：对于任意正整数n，n^3 - n 能被6整除。请给出完整的证明过程。",
    "ja": "任意の正の整数nについて、n^3 - n が6で割り切れることを証明してください。",
    "ru": "Докажите, что для любого натурального n число n^3 - n делится на 6.",
}
LOW_THRESHOLD = 0.40  # the reference configuration's first tier


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


@pytest.mark.parametrize("lang", sorted(GREETINGS))
def test_a_greeting_is_cheap_in_any_script(default, lang: str) -> None:
    """Before feature version 13 "hello" in Chinese or Japanese scored 0.55 (a thinking tier) and in
    Russian 0.39, against 0.03 in English: the script itself was read as difficulty."""
    assert default.score(user(GREETINGS[lang])).score < LOW_THRESHOLD


@pytest.mark.parametrize("lang", sorted(PROOFS))
def test_a_proof_scores_above_a_greeting_in_the_same_language(default, lang: str) -> None:
    assert default.score(user(PROOFS[lang])).score > default.score(user(GREETINGS[lang])).score + 0.15


def test_chinese_characters_count_as_words_and_dense_length() -> None:
    """Chinese has no spaces: read as one word per run, its cue densities divided by ~1 word and
    a few numbers looked like a math problem. A character is 1 / DENSE_CHARS_PER_WORD of a word."""
    h = handcrafted(parse_messages(user("天气" * 30)))
    assert h[FEATURE_NAMES.index("word count")] == pytest.approx(math.log1p(1 + int(60 / DENSE_CHARS_PER_WORD)))
    assert h[FEATURE_NAMES.index("prompt length")] > math.log1p(2.5 * 60)
    assert h[FEATURE_NAMES.index("mean word length")] < 3.0


def test_the_non_ascii_share_is_not_fitted(default) -> None:
    """Every training prompt with much non-ASCII text comes from one source; a weight learned on
    shares near 0 extrapolated to Chinese text (share 2) as ~5 logits. Both models keep it at 0."""
    cjk = ["请证明费马大定理在 n = 3 时成立。", "请证明黎曼猜想。"]
    est = ComplexityEstimator(C=1.0).fit([*EASY, *HARD, *cjk], [0.1] * len(EASY) + [0.9] * (len(HARD) + len(cjk)),
                                         answer_tokens=[40.0] * len(EASY) + [400.0] * (len(HARD) + len(cjk)))
    for model in (est, default.estimator):
        assert model.coef_[NON_ASCII_FEATURE] == 0.0 and model.tok_coef_[NON_ASCII_FEATURE] == 0.0


#: The same six requests in eighteen languages (hard: code, proof, calculus, system design; easy: a
#: poem, role-play). Written as a speaker would ask, not from the cue lists.
SAME_REQUEST = {
    "quicksort": {
        "en": "Write a quicksort in Python and analyze its time complexity.",
        "zh": "用Python实现快速排序，并分析其时间复杂度。",
        "ja": "Pythonでクイックソートを実装し、その時間計算量を分析してください。",
        "ko": "파이썬으로 퀵정렬을 구현하고 시간 복잡도를 분석해 주세요.",
        "ru": "Напишите быструю сортировку на Python и проанализируйте её временную сложность.",
        "es": "Escribe un quicksort en Python y analiza su complejidad temporal.",
        "fr": "Écris un tri rapide en Python et analyse sa complexité temporelle.",
        "de": "Schreibe einen Quicksort in Python und analysiere seine Zeitkomplexität.",
        "it": "Scrivi un quicksort in Python e analizza la sua complessità temporale.",
        "nl": "Schrijf een quicksort in Python en analyseer de tijdscomplexiteit.",
        "pl": "Napisz quicksort w Pythonie i przeanalizuj jego złożoność czasową.",
        "tr": "Python'da bir quicksort yaz ve zaman karmaşıklığını analiz et.",
        "vi": "Viết thuật toán quicksort bằng Python và phân tích độ phức tạp thời gian của nó.",
        "pt": "Escreva um quicksort em Python e analise sua complexidade de tempo.",
        "uk": "Напишіть швидке сортування на Python і проаналізуйте його часову складність.",
        "id": "Tulis quicksort dalam Python dan analisis kompleksitas waktunya.",
        "hi": "Python में क्विकसॉर्ट लिखें और इसकी समय जटिलता का विश्लेषण करें।",
        "ar": "اكتب خوارزمية الفرز السريع بلغة بايثون وحلل تعقيدها الزمني.",
    },
    "primes": {
        "en": "Prove that there are infinitely many prime numbers.",
        "zh": "证明存在无穷多个素数。",
        "ja": "素数が無限に存在することを証明してください。",
        "ko": "소수가 무한히 많다는 것을 증명하세요.",
        "ru": "Докажите, что простых чисел бесконечно много.",
        "es": "Demuestra que hay infinitos números primos.",
        "fr": "Démontrez qu'il existe une infinité de nombres premiers.",
        "de": "Beweise, dass es unendlich viele Primzahlen gibt.",
        "it": "Dimostra che esistono infiniti numeri primi.",
        "nl": "Bewijs dat er oneindig veel priemgetallen zijn.",
        "pl": "Udowodnij, że istnieje nieskończenie wiele liczb pierwszych.",
        "tr": "Sonsuz sayıda asal sayı olduğunu kanıtlayın.",
        "vi": "Chứng minh rằng có vô số số nguyên tố.",
        "pt": "Prove que existem infinitos números primos.",
        "uk": "Доведіть, що простих чисел нескінченно багато.",
        "id": "Buktikan bahwa ada tak hingga banyaknya bilangan prima.",
        "hi": "सिद्ध कीजिए कि अभाज्य संख्याएँ अनंत हैं।",
        "ar": "أثبت أن الأعداد الأولية لا نهائية.",
    },
    "calculus": {
        "en": "Find the derivative of f(x) = x^3 sin(x) and compute the integral of 1/(1+x^2) from 0 to 1.",
        "zh": "求函数 f(x) = x^3 sin(x) 的导数，并计算 1/(1+x^2) 从 0 到 1 的积分。",
        "ja": "f(x) = x^3 sin(x) の導関数を求め、1/(1+x^2) の 0 から 1 までの積分を計算してください。",
        "ko": "f(x) = x^3 sin(x)의 도함수를 구하고 1/(1+x^2)를 0부터 1까지 적분하세요.",
        "ru": "Найдите производную функции f(x) = x^3 sin(x) и вычислите интеграл 1/(1+x^2) от 0 до 1.",
        "es": "Encuentra la derivada de f(x) = x^3 sin(x) y calcula la integral de 1/(1+x^2) de 0 a 1.",
        "fr": "Trouve la dérivée de f(x) = x^3 sin(x) et calcule l'intégrale de 1/(1+x^2) entre 0 et 1.",
        "de": "Bestimme die Ableitung von f(x) = x^3 sin(x) und berechne das Integral von 1/(1+x^2) von 0 bis 1.",
        "it": "Trova la derivata di f(x) = x^3 sin(x) e calcola l'integrale di 1/(1+x^2) da 0 a 1.",
        "nl": "Bepaal de afgeleide van f(x) = x^3 sin(x) en bereken de integraal van 1/(1+x^2) van 0 tot 1.",
        "pl": "Znajdź pochodną funkcji f(x) = x^3 sin(x) i oblicz całkę z 1/(1+x^2) od 0 do 1.",
        "tr": "f(x) = x^3 sin(x) fonksiyonunun türevini bulun ve 1/(1+x^2) fonksiyonunun 0'dan 1'e integralini hesaplayın.",
        "vi": "Tìm đạo hàm của f(x) = x^3 sin(x) và tính tích phân của 1/(1+x^2) từ 0 đến 1.",
        "pt": "Encontre a derivada de f(x) = x^3 sin(x) e calcule a integral de 1/(1+x^2) de 0 a 1.",
        "uk": "Знайдіть похідну функції f(x) = x^3 sin(x) та обчисліть інтеграл від 1/(1+x^2) від 0 до 1.",
        "id": "Tentukan turunan dari f(x) = x^3 sin(x) dan hitung integral dari 1/(1+x^2) dari 0 sampai 1.",
        "hi": "f(x) = x^3 sin(x) का अवकलज ज्ञात कीजिए और 1/(1+x^2) का 0 से 1 तक समाकलन कीजिए।",
        "ar": "أوجد مشتقة الدالة f(x) = x^3 sin(x) واحسب تكامل 1/(1+x^2) من 0 إلى 1.",
    },
    "design": {
        "en": "Design a distributed rate limiter for a microservice architecture and explain the trade-offs.",
        "zh": "为微服务架构设计一个分布式限流器，并解释其中的权衡。",
        "ja": "マイクロサービスアーキテクチャ向けの分散レートリミッターを設計し、そのトレードオフを説明してください。",
        "ko": "마이크로서비스 아키텍처를 위한 분산 레이트 리미터를 설계하고 장단점을 설명하세요.",
        "ru": "Спроектируйте распределённый ограничитель скорости запросов для микросервисной архитектуры и "
              "объясните компромиссы.",
        "es": "Diseña un limitador de tasa distribuido para una arquitectura de microservicios y explica las "
              "ventajas y desventajas.",
        "fr": "Conçois un limiteur de débit distribué pour une architecture de microservices et explique les "
              "compromis.",
        "de": "Entwirf einen verteilten Rate Limiter für eine Microservice-Architektur und erkläre die Kompromisse.",
        "it": "Progetta un limitatore di frequenza distribuito per un'architettura a microservizi e spiega i compromessi.",
        "nl": "Ontwerp een gedistribueerde rate limiter voor een microservice-architectuur en leg de afwegingen uit.",
        "pl": "Zaprojektuj rozproszony ogranicznik liczby żądań dla architektury mikroserwisów i wyjaśnij kompromisy.",
        "tr": "Bir mikroservis mimarisi için dağıtık bir hız sınırlayıcı tasarlayın ve ödünleşimleri açıklayın.",
        "vi": "Thiết kế một bộ giới hạn tốc độ phân tán cho kiến trúc microservice và giải thích các đánh đổi.",
        "pt": "Projete um limitador de taxa distribuído para uma arquitetura de microsserviços e explique os trade-offs.",
        "uk": "Спроєктуйте розподілений обмежувач частоти запитів для мікросервісної архітектури та поясніть компроміси.",
        "id": "Rancang pembatas laju terdistribusi untuk arsitektur microservice dan jelaskan trade-off-nya.",
        "hi": "माइक्रोसर्विस आर्किटेक्चर के लिए एक वितरित रेट लिमिटर डिज़ाइन करें और इसके ट्रेड-ऑफ़ समझाएं।",
        "ar": "صمم محدد معدل موزع لبنية الخدمات المصغرة واشرح المفاضلات.",
    },
    "poem": {
        "en": "Write a short poem about autumn.",
        "zh": "写一首关于秋天的短诗。",
        "ja": "秋についての短い詩を書いてください。",
        "ko": "가을에 대한 짧은 시를 써 주세요.",
        "ru": "Напишите короткое стихотворение об осени.",
        "es": "Escribe un poema corto sobre el otoño.",
        "fr": "Écris un court poème sur l'automne.",
        "de": "Schreibe ein kurzes Gedicht über den Herbst.",
        "it": "Scrivi una breve poesia sull'autunno.",
        "nl": "Schrijf een kort gedicht over de herfst.",
        "pl": "Napisz krótki wiersz o jesieni.",
        "tr": "Sonbahar hakkında kısa bir şiir yaz.",
        "vi": "Viết một bài thơ ngắn về mùa thu.",
        "pt": "Escreva um poema curto sobre o outono.",
        "uk": "Напишіть короткий вірш про осінь.",
        "id": "Tulis puisi pendek tentang musim gugur.",
        "hi": "पतझड़ पर एक छोटी कविता लिखिए।",
        "ar": "اكتب قصيدة قصيرة عن الخريف.",
    },
    "pirate": {
        "en": "Pretend you are a pirate and tell me about your day.",
        "zh": "假装你是一个海盗，告诉我你的一天。",
        "ja": "海賊になりきって、あなたの一日について教えてください。",
        "ko": "해적인 척하면서 너의 하루에 대해 이야기해 줘.",
        "ru": "Представь, что ты пират, и расскажи о своём дне.",
        "es": "Finge que eres un pirata y cuéntame sobre tu día.",
        "fr": "Fais semblant d'être un pirate et raconte-moi ta journée.",
        "de": "Tu so, als wärst du ein Pirat, und erzähl mir von deinem Tag.",
        "it": "Fingi di essere un pirata e raccontami la tua giornata.",
        "nl": "Doe alsof je een piraat bent en vertel me over je dag.",
        "pl": "Udawaj, że jesteś piratem, i opowiedz mi o swoim dniu.",
        "tr": "Bir korsanmış gibi davran ve bana gününü anlat.",
        "vi": "Hãy giả vờ bạn là một tên cướp biển và kể cho tôi nghe về một ngày của bạn.",
        "pt": "Finja que você é um pirata e me conte sobre o seu dia.",
        "uk": "Уяви, що ти пірат, і розкажи мені про свій день.",
        "id": "Berpura-puralah kamu seorang bajak laut dan ceritakan tentang harimu.",
        "hi": "मान लो कि तुम एक समुद्री डाकू हो और मुझे अपने दिन के बारे में बताओ।",
        "ar": "تظاهر بأنك قرصان وأخبرني عن يومك.",
    },
}
LANGUAGES = sorted(SAME_REQUEST["poem"])


@pytest.mark.parametrize("lang", [x for x in LANGUAGES if x != "en"])
def test_the_same_request_scores_alike_in_every_language(default, lang: str) -> None:
    """Before feature version 14 the cue lexicons were English: in another language a prompt was
    read for its length, notation and code only, so the proof scored 0.24-0.28 (0.42 in English) and
    the poem 0.20-0.31 (0.03), every request in a narrow band: mean distance from English 0.08-0.22
    over the seventeen languages (Portuguese shares "prove" with English). Now 0.01-0.12 (Japanese and
    Korean the farthest). Since feature version 42 "Write a quicksort in Python …" is a request for a program (0.60 →
    0.79, as "Implement quicksort in Python …" already scored), and so is it with the write verbs of ``WRITE_VERBS``
    ("Escribe un quicksort en Python", "Napisz quicksort w Pythonie": 0.01-0.03 from English); Korean, Chinese,
    Hindi, Arabic and Turkish ask for it without such a verb and are not read as one (-0.24 to -0.37): Korean
    0.105 → 0.143, the only one over 0.13 (its poem +0.26 besides; docs/classifier_history.md, version 42)."""
    diffs = {name: default.score(user(texts[lang])).score - default.score(user(texts["en"])).score
             for name, texts in SAME_REQUEST.items()}
    assert sum(map(abs, diffs.values())) / len(diffs) <= (0.15 if lang == "ko" else 0.13), diffs


@pytest.mark.parametrize("lang", LANGUAGES)
def test_hard_requests_rank_above_easy_ones_in_every_language(default, lang: str) -> None:
    s = {name: default.score(user(texts[lang])).score for name, texts in SAME_REQUEST.items()}
    assert min(s["quicksort"], s["primes"], s["calculus"], s["design"]) > s["poem"], s


def test_other_language_cues_leave_english_prompts_alone(shared_data) -> None:
    """No entry of ``lexicons_intl`` matches a word, stem or phrase of the English training prompts
    (every source but arena-hard, which has prompts in other languages), so their features are the
    ones English lexicons alone give; the Chinese and Japanese cues need characters of those scripts."""
    from classifiers.data import load_all
    from classifiers.features import _slice
    from classifiers.lexicons import lower_words
    from classifiers.lexicons_intl import DENSE_CUES, OTHER_LANGUAGES

    entries = [e for text in OTHER_LANGUAGES.values() for e in text.split()]
    words = {e for e in entries if not e.endswith("*") and "|" not in e}
    stems = tuple(e[:-1] for e in entries if e.endswith("*"))
    phrases = [" " + e.replace("|", " ") + " " for e in entries if "|" in e]
    examples, _ = load_all(shared_data)
    english = [e for e in examples if e.source != "arena_hard"]
    assert len(english) > 8000
    for e in english:
        wl = lower_words(_slice(e.text))
        joined = " " + " ".join(wl) + " "
        hits = [w for w in wl if w in words or w.startswith(stems)] + [p for p in phrases if p in joined]
        assert not hits, (e.source, e.text[:80], hits)
    assert all(0x3000 <= ord(c) <= 0x9FFF for cues in DENSE_CUES.values() for cue in cues for c in cue)


#: One request with a Latin-script name inside other scripts: glued to Chinese or Japanese
#: characters ("写一个Python函数"), inflected ("w Pythonie"), in a hyphenated compound ("Python-Funktion").
PYTHON_FUNCTION = {
    "en": "Write a Python function that returns the n-th Fibonacci number using memoization.",
    "zh": "写一个Python函数，使用记忆化返回第n个斐波那契数。",
    "ja": "メモ化を使ってn番目のフィボナッチ数を返すPythonの関数を書いてください。",
    "pl": "Napisz funkcję w Pythonie, która zwraca n-tą liczbę Fibonacciego z użyciem memoizacji.",
    # German writes the language into the noun: "eine Python-Funktion" read as writing until feature version 38 (0.40)
    "de": "Schreibe eine Python-Funktion, die die n-te Fibonacci-Zahl mit Memoisierung zurückgibt.",
}


def test_a_latin_word_glued_to_chinese_characters_is_read() -> None:
    """The word split sees "写一个Python函数，…" as one word; "python" is read as a code cue since
    feature version 18 (the glued words: ASCII words with every other character read as a space)."""
    code = FEATURE_NAMES.index("code cues")
    glued = handcrafted(parse_messages(user(PYTHON_FUNCTION["zh"])))[code]
    spaced = handcrafted(parse_messages(user(PYTHON_FUNCTION["zh"].replace("Python", " Python "))))[code]
    assert glued == spaced == math.log1p(2)  # 函数 and python


@pytest.mark.parametrize("lang", ["zh", "ja", "pl", "de"])
def test_a_python_function_request_scores_alike_in_other_scripts(default, lang: str, monkeypatch) -> None:
    """7.7.0 read "Python" in none of these (0.36-0.37 against 0.55 in English: a low tier). The cues of an algorithmic
    problem are read in English only (version 45): "memoization" adds 200 characters its translations do not get, so
    the English request is scored here without them; the parity checked is the reading of "Python" and "function"."""
    monkeypatch.setattr("classifiers.algorithmic.ALGORITHMIC_CHARS", 0)
    en = default.score(user(PYTHON_FUNCTION["en"])).score
    monkeypatch.undo()
    assert abs(default.score(user(PYTHON_FUNCTION[lang])).score - en) < 0.1


def test_opening_and_closing_marks_of_other_languages_split_words() -> None:
    """Spanish opens a question with "¿": "¿cuánto" was one word no lexicon holds (a Spanish word problem lost its
    arithmetic cue and the word-problem reading: 0.61 against 0.69 without the mark); German quotes open with "„"."""
    from classifiers.lexicons import lower_words

    assert lower_words("¿Cuánto dinero le queda? ¡Rápido!") == ["cuánto", "dinero", "le", "queda", "rápido"]
    assert lower_words("„Beweis“ – und dann…") == ["beweis", "und", "dann"]


def test_a_spanish_word_problem_is_a_word_problem() -> None:
    from classifiers.feature_schema import NUMBERS_PRIOR_FEATURE

    text = ("María compra 3 cajas con 12 manzanas cada una, regala 5 manzanas a su hermano y vende la mitad del resto a "
            "2 euros cada una. ¿Cuánto dinero gana?")
    assert handcrafted(parse_messages(user(text)))[NUMBERS_PRIOR_FEATURE] > 0


CHITCHAT = FEATURE_NAMES.index("chitchat cues")


@pytest.mark.parametrize("text", [
    ("Hola, mi casero me dijo que tengo que irme en tres días porque me atrasé con la renta, y ayer su hermano vino y "
     "me amenazó con cambiar la cerradura. ¿Qué puedo hacer? Vivo en el condado de Alameda."),
    ("Hi team, can you summarize the three action items from the email below, say who owns each one and flag any "
     "item that has no due date or depends on another team's work?"),
])
def test_a_greeting_opening_a_long_request_is_politeness(text: str) -> None:
    """A greeting or thanks in a text of more than 20 words is no small talk (version 86): "Hola," took a 40-word
    support request about an eviction and a threat from 0.25 to 0.09 (sweep42 cluster 2)."""
    assert handcrafted(parse_messages(user(text)))[CHITCHAT] == 0.0


@pytest.mark.parametrize("lang", sorted(GREETINGS))
def test_a_short_greeting_keeps_its_small_talk_cue(lang: str) -> None:
    assert handcrafted(parse_messages(user(GREETINGS[lang])))[CHITCHAT] > 0.0


def test_long_small_talk_keeps_its_small_talk_cue() -> None:
    """Pure small talk of 30 words is no request a greeting opens (version 93, review rev42 M2: 0.08 -> 0.36)."""
    text = ("Hi! Thanks so much for your help yesterday, it really made my day. I just wanted to say hello again and "
            "ask how your weekend went, hope it was relaxing and fun for you!")
    assert handcrafted(parse_messages(user(text)))[CHITCHAT] > 0.0
