# PLACEHOLDER — replaced by the identity building block.
app_name = "dev_idp"
urlpatterns: list = []
