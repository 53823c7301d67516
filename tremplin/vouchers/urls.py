app_name = "vouchers"
urlpatterns = []
