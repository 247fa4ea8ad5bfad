"""The language guess used when a published transcript does not say its language."""

from __future__ import annotations

from django.test import SimpleTestCase

from archive.importers.language import guess_language

ENGLISH = (
    "Thank you for joining us today. I want to say a few words about the plan that the President "
    "announced this morning, and then we will take your questions about what it means for the country."
)
SPANISH = (
    "Muchas gracias a todos por estar aquí. Vamos a informar sobre el programa de vacunación en las "
    "escuelas y después vamos a abrir para las preguntas de los medios de comunicación."
)
FRENCH = (
    "Merci à tous pour votre présence. Nous allons parler de la réforme des retraites et de ce que "
    "cette décision change pour les familles qui sont dans une situation difficile."
)
GERMAN = (
    "Vielen Dank, dass Sie heute hier sind. Wir werden über die Pläne der Regierung sprechen und "
    "auch die Fragen der Presse beantworten, die sich auf den Haushalt für das nächste Jahr beziehen."
)
PORTUGUESE = (
    "Muito obrigado a todos pela presença. Vamos falar sobre o programa de saúde e também sobre "
    "as medidas que o governo tomou para as famílias que não têm acesso aos serviços."
)


class LanguageGuessTests(SimpleTestCase):
    def assert_guess(self, text: str, tag: str) -> None:
        self.assertEqual(guess_language(text).tag, tag, guess_language(text).reason)

    def test_it_tells_latin_script_languages_apart_by_function_words(self) -> None:
        self.assert_guess(ENGLISH, "en")
        self.assert_guess(SPANISH, "es")
        self.assert_guess(FRENCH, "fr")
        self.assert_guess(GERMAN, "de")
        self.assert_guess(PORTUGUESE, "pt")

    def test_it_decides_by_script_where_the_script_settles_it(self) -> None:
        self.assert_guess("השבוע נפתחו שלוש שגרירויות חדשות באפריקה, והשר ייסע לשם בחודש הבא.", "he")
        self.assert_guess("شكرا لكم جميعا على الحضور اليوم، وسنجيب على أسئلتكم بعد البيان.", "ar")
        self.assert_guess("안녕하세요, 오늘 브리핑을 시작하겠습니다.", "ko")
        self.assert_guess("สวัสดีครับ วันนี้เราจะเริ่มการแถลงข่าว", "th")

    def test_kana_means_japanese_even_among_many_han_characters(self) -> None:
        self.assert_guess("東京都議会経済港湾委員会の質疑について説明いたします。", "ja")

    def test_han_only_text_is_simplified_or_traditional_chinese(self) -> None:
        self.assert_guess(
            "我们这个问题的答案是发展。记者会上发言人说，中国对这个问题的立场是一贯的。", "zh-Hans"
        )
        self.assert_guess(
            "我們這個問題的答案是發展。記者會上發言人說，中國對這個問題的立場是一貫的。", "zh-Hant"
        )

    def test_it_gives_up_rather_than_defaulting_to_english(self) -> None:
        for text in (
            "Thanks, Jen.",  # too short
            "Спасибо всем.",  # Cyrillic: several languages, and too short for the detector
            "12345 ... !!!",  # no letters
        ):
            with self.subTest(text=text):
                guess = guess_language(text)
                self.assertIsNone(guess.tag)
                self.assertTrue(guess.reason)

    def test_a_text_split_evenly_between_two_languages_is_undecided(self) -> None:
        guess = guess_language("the plan and the vote, el plan y los votos; " * 4)
        self.assertIsNone(guess.tag)
        self.assertIn("almost equally", guess.reason)
