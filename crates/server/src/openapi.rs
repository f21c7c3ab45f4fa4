//! The OpenAPI document, generated from the handlers' annotations and the view types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api;
use crate::error::{ErrorBody, ErrorEnvelope};
use crate::views;

#[derive(OpenApi)]
#[openapi(
    info(title = "Guarantor", description = "The common operational picture: tracks, incidents, activations, obligations, readiness, deliveries, the ledger; and the parties' acts."),
    paths(
        api::picture::tracks, api::picture::tracks_at, api::picture::track_history,
        api::picture::incidents, api::picture::incident, api::picture::activations,
        api::picture::obligations, api::picture::obligation, api::picture::status,
        api::acts::acknowledge, api::acts::discharge,
        api::ledger::checkpoint, api::ledger::tile, api::ledger::inclusion,
        api::ledger::consistency, api::supply::readiness, api::supply::deliveries,
        api::supply::deliver,
        api::live::live,
    ),
    components(schemas(
        ErrorEnvelope, ErrorBody, views::TrackView, views::TrackPoint, views::TrackHistory,
        views::IncidentView, views::EvidenceView, views::ActivationView, views::ObligationView,
        views::AssetView, views::SubstitutionView, views::StatusView, views::LedgerStatus,
        views::ActOutcome, views::InclusionProof, views::LiveEvent,
        api::acts::AcknowledgeBody, api::acts::DischargeBody,
        views::ConsistencyProof, views::DeliveryView, views::DeliveryOutcome,
        views::ReadinessView, views::RungView, views::ClauseView, views::SupplyView,
        views::StockSeries, api::supply::DeliveryBody,
    )),
    modifiers(&Security),
)]
struct Document;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // `Authorization: Ed25519 <name>+<hash>:<base64 signature>` over the canonical JSON
        // of the act's ledger entry (a `PartyAction` with an empty signature).
        components.add_security_scheme(
            "ed25519",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Header(
                utoipa::openapi::security::ApiKeyValue::new("Authorization"),
            )),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    Document::openapi()
}
