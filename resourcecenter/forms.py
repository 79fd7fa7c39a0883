"""Account forms: the display name (on sign-up and on the profile) and the resend-link form."""

import re
import secrets
import unicodedata

from django import forms

from resourcecenter.models import DISPLAY_NAME_TAKEN, User
from resourcecenter.roles import is_support_staff

DISPLAY_NAME_MIN = 2
DISPLAY_NAME_MAX = 40
# Letters (any script), digits, spaces and . _ - ' ; must start with a letter or digit.
_DISPLAY_NAME_RE = re.compile(r"^[^\W_][\w .'\-]*$")
# Names that would let a member pose as the provider's own people.
RESERVED_DISPLAY_NAMES = {
    "admin",
    "administrator",
    "moderator",
    "mod",
    "staff",
    "support",
    "supportteam",
    "supportstaff",
    "resourcecenter",
    "system",
    "root",
    "official",
    "anonymous",
    "deleteduser",
}
# Format characters (zero-width spaces and joiners, bidi overrides) let two names look alike.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}


def normalize_display_name(value: str) -> str:
    """NFKC-normalise, drop invisible/control characters and collapse whitespace."""
    value = unicodedata.normalize("NFKC", value or "")
    value = "".join(ch for ch in value if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES)
    return " ".join(value.split())


def clean_display_name(value: str, user: User | None = None) -> str:
    """Validate a display name; return the cleaned value ('' means "not set").

    Raises ValidationError with a message a person can act on.
    """
    name = normalize_display_name(value)
    if not name:
        return ""
    if len(name) < DISPLAY_NAME_MIN:
        raise forms.ValidationError(
            f"Use at least {DISPLAY_NAME_MIN} characters.", code="display_name_short"
        )
    if len(name) > DISPLAY_NAME_MAX:
        raise forms.ValidationError(
            f"Use at most {DISPLAY_NAME_MAX} characters (you used {len(name)}).",
            code="display_name_long",
        )
    if "@" in name:
        raise forms.ValidationError(
            "A display name cannot be an e-mail address: it is shown publicly.",
            code="display_name_email",
        )
    if not _DISPLAY_NAME_RE.match(name):
        raise forms.ValidationError(
            "Use letters, digits, spaces and . _ - ' only, starting with a letter or digit.",
            code="display_name_chars",
        )
    squashed = re.sub(r"[\W_]+", "", name.casefold())
    staff = user is not None and user.pk is not None and is_support_staff(user)
    if squashed in RESERVED_DISPLAY_NAMES and not staff:
        raise forms.ValidationError(
            "That name is reserved for the support team; please choose another.",
            code="display_name_reserved",
        )
    exclude_pk = user.pk if user is not None else None
    if User.objects.display_name_taken(name, exclude_pk=exclude_pk):
        raise forms.ValidationError(DISPLAY_NAME_TAKEN, code="display_name_taken")
    return name


def generate_display_name() -> str:
    """A neutral, unused name ("Member 48213") for people who did not choose one.

    Without it the site would fall back to the local part of their e-mail address.
    """
    for _ in range(20):
        name = f"Member {secrets.randbelow(900_000) + 100_000}"
        if not User.objects.display_name_taken(name):
            return name
    return f"Member {secrets.token_hex(6)}"


def _display_name_field(required: bool = False) -> forms.CharField:
    return forms.CharField(
        label="Display name",
        required=required,
        max_length=60,
        strip=True,
        help_text=(
            f"Shown next to your posts in the Community ({DISPLAY_NAME_MIN}-{DISPLAY_NAME_MAX} "
            "characters). Your e-mail address is never shown."
            + ("" if required else " Leave it empty and we will pick one you can change later.")
        ),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


class SignupForm(forms.Form):
    """Extra sign-up fields (allauth's ACCOUNT_SIGNUP_FORM_CLASS): an optional display name."""

    display_name = _display_name_field()

    def clean_display_name(self) -> str:
        return clean_display_name(self.cleaned_data.get("display_name", ""))

    def signup(self, request, user: User) -> None:
        name = self.cleaned_data.get("display_name", "") or generate_display_name()
        if name != user.display_name:
            user.display_name = name
            user.save(update_fields=["display_name"])


class ProfileForm(forms.ModelForm):
    """What a person may change about themselves on /accounts/profile/."""

    display_name = _display_name_field(required=True)

    class Meta:
        model = User
        fields = ["display_name", "first_name", "last_name"]
        labels = {"first_name": "First name", "last_name": "Last name"}
        help_texts = {
            "first_name": "Only shown to support staff when you open a ticket.",
            "last_name": "Only shown to support staff when you open a ticket.",
        }

    def clean_display_name(self) -> str:
        name = clean_display_name(self.cleaned_data.get("display_name", ""), user=self.instance)
        if not name:
            raise forms.ValidationError(
                "Choose a display name: it is how the Community sees you.", code="required"
            )
        return name

    def _clean_person_name(self, field: str) -> str:
        value = normalize_display_name(self.cleaned_data.get(field, ""))
        if any(ch in value for ch in "<>@/\\"):
            raise forms.ValidationError("Names cannot contain < > @ / or \\.")
        return value

    def clean_first_name(self) -> str:
        return self._clean_person_name("first_name")

    def clean_last_name(self) -> str:
        return self._clean_person_name("last_name")


class ResendVerificationForm(forms.Form):
    """Ask for a new verification link (the answer never says whether the address exists)."""

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class EnrolmentCodeForm(forms.Form):
    """The code e-mailed to a staff member before they may enrol an authenticator app."""

    code = forms.CharField(
        label="Code from the e-mail",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
