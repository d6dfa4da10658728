import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

DEFAULT_PASSWORD = "correct-Horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    """A user; `role="finance"` puts them in that group, `role="admin"` makes a superuser."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.invalid")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def role(user, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        if extracted == "admin":
            user.is_staff = user.is_superuser = True
        if create:
            user.save()
            if extracted and extracted != "admin":
                user.groups.add(Group.objects.get(name=extracted))
