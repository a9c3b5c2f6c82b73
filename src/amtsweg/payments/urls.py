from django.urls import path

from amtsweg.payments import testbezahldienst, views

app_name = "payments"
urlpatterns = [
    path("bezahlung/<str:reference>/rueckkehr/", views.payment_return, name="return"),
    path("bezahlung/benachrichtigung/<slug:provider>/", views.notify, name="notify"),
    path("testbezahldienst/api/paymenttransaction", testbezahldienst.api_create, name="tbd-create"),
    path("testbezahldienst/api/paymenttransaction/<uuid:transaction_id>", testbezahldienst.api_status,
         name="tbd-status"),
    path("testbezahldienst/bezahlen/<uuid:transaction_id>/", testbezahldienst.pay_page, name="tbd-pay"),
]
