"""Valid VAT numbers, IBANs and EAN-13 barcodes for demo records, drawn from a seeded Random."""

from random import Random

from schwifty import IBAN
from schwifty.exceptions import InvalidBBANChecksum
from stdnum import ean, luhn
from stdnum.fr import siren
from stdnum.iso7064 import mod_11_10

# Bank codes of well-known banks in each country.
BANKS = {
    "BE": ("001", "734", "068", "363"),  # BNP Paribas Fortis, KBC, Belfius, ING
    "FR": ("30004", "30003", "30066"),  # BNP Paribas, Société Générale, CIC
    "NL": ("INGB", "ABNA", "RABO"),
    # Commerzbank, Sparkasse KölnBonn, ING, LBBW, Stadtsparkasse München
    "DE": ("37040044", "37050198", "50010517", "60050101", "70150000"),
}
ACCOUNT_DIGITS = {"BE": 7, "FR": 11, "NL": 10, "DE": 10}
FRENCH_BRANCH_DIGITS = 5


def digits(rng: Random, count: int, *, first: str = "0123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(count - 1))


def vat_number(rng: Random, country: str) -> str:
    return VAT_GENERATORS[country](rng)


def belgian_vat(rng: Random) -> str:
    base = "0" + digits(rng, 7, first="23456789")
    return f"BE{base}{97 - int(base) % 97:02d}"


def french_vat(rng: Random) -> str:
    base = digits(rng, 8, first="123456789")
    number = base + luhn.calc_check_digit(base)
    return "FR" + siren.to_tva(number)


def dutch_vat(rng: Random) -> str:
    """The old format, still valid: nine digits with a mod-11 check (as a BSN) and B01."""
    while True:
        base = digits(rng, 8, first="123456789")
        check = sum((9 - position) * int(digit) for position, digit in enumerate(base)) % 11
        if check < 10:  # 10 cannot be written as a check digit: draw another number
            return f"NL{base}{check}B01"


def german_vat(rng: Random) -> str:
    base = digits(rng, 8, first="123456789")
    return f"DE{base}{mod_11_10.calc_check_digit(base)}"


VAT_GENERATORS = {"BE": belgian_vat, "FR": french_vat, "NL": dutch_vat, "DE": german_vat}


def iban(rng: Random, country: str) -> IBAN:
    """An IBAN at a real bank whose national check digits are right too.

    schwifty computes the Belgian and French check digits; a German account number must pass its
    bank's own check method, so numbers are drawn until one does.
    """
    bank_code = rng.choice(BANKS[country])
    while True:
        branch_code = digits(rng, FRENCH_BRANCH_DIGITS) if country == "FR" else ""
        candidate = IBAN.generate(
            country, bank_code=bank_code, branch_code=branch_code, account_code=digits(rng, ACCOUNT_DIGITS[country])
        )
        try:
            candidate.validate(validate_bban=True)
        except InvalidBBANChecksum:
            continue
        return candidate


def ean13(first_twelve: str) -> str:
    return first_twelve + ean.calc_check_digit(first_twelve)
