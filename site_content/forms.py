from django import forms

from .feedback import MESSAGE_MAX_LENGTH
from .models import FeedbackKind


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(
        label="What would you like to do?",
        choices=[
            (FeedbackKind.QUESTION, "Ask a follow-up question"),
            (FeedbackKind.PROBLEM, "Report a problem (an error, an outdated statement, a broken link)"),
        ],
        widget=forms.RadioSelect,
        initial=FeedbackKind.QUESTION,
    )
    message = forms.CharField(
        label="Your question or the problem you found",
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Please do not include personal health details. We cannot give individual medical advice.",
    )
    email = forms.EmailField(
        label="Email (optional)",
        required=False,
        help_text="Only if you would like an answer. We use it for nothing else.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    audience = forms.CharField(widget=forms.HiddenInput, required=False, max_length=16)
    # Left empty by people; form-filling bots tend to fill every field.
    website = forms.CharField(required=False, label="Leave this field empty", max_length=200)

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
