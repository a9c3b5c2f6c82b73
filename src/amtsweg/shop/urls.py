from django.urls import path

from . import api, views

app_name = "shop"

urlpatterns = [
    path("verwaltung/shop/", views.shop_index, name="index"),
    path("verwaltung/shop/anschluesse/", views.subscriptions, name="subscriptions"),
    path("verwaltung/shop/anschluss/<int:pk>/einrichten/", views.order_configure, name="configure"),
    path("verwaltung/shop/anschluss/<int:pk>/pruefen/", views.order_review, name="review"),
    path("verwaltung/shop/anschluss/<int:pk>/beenden/", views.subscription_end, name="end"),
    path("verwaltung/shop/<slug:slug>/", views.offer_detail, name="offer"),
    path("verwaltung/shop/<slug:slug>/bestellen/", views.order_accept, name="order"),
    path("verwaltung/shop/<slug:slug>/nachnutzungsvereinbarung.pdf", views.offer_agreement_pdf,
         name="agreement-pdf"),
    path("verwaltung/shop/<slug:slug>/avv.pdf", views.offer_avv_pdf, name="avv-pdf"),
    path("land/angebote/", views.land_offers, name="land-offers"),
    path("land/angebote/<slug:slug>/", views.land_offer_detail, name="land-offer"),
    path("land/angebote/<slug:slug>/export.csv", views.land_offer_export, name="land-offer-export"),
    path("land/anschluesse/<int:pk>/vorzeitiges-ende/", views.land_allow_early_end, name="land-allow-early-end"),
    path("land/angebote/<slug:slug>/erinnern/", views.land_offer_remind, name="land-offer-remind"),
    path("land/anschluesse/import/", views.land_onboarding, name="land-onboarding"),
    path("land/anschluesse/import/vorlage.csv", views.land_onboarding_template, name="land-onboarding-template"),
    path("land/kosten/", views.land_costs, name="land-costs"),
    path("api/shop/v1/offers", api.OfferListView.as_view(), name="api-offers"),
    path("api/shop/v1/subscriptions", api.SubscriptionListView.as_view(), name="api-subscriptions"),
]
