from django import forms

from resourcecenter.models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "first_name", "last_name"]
        help_texts = {"display_name": "Shown next to your posts. Your e-mail is never shown."}

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if (
            name
            and User.objects.filter(display_name__iexact=name).exclude(pk=self.instance.pk).exists()
        ):
            raise forms.ValidationError("That display name is taken; please choose another.")
        return name
