//! Who may do what, as a Cedar policy (`policy.cedar`) rather than scattered `if`s: the
//! handlers ask one question, `allowed(principal, action, resource)`, and explain a denial.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityUid, PolicySet, Request,
    RestrictedExpression,
};

use crate::auth::{Principal, Role};

/// The policy compiled once at start.
#[derive(Debug)]
pub struct Policy {
    policies: PolicySet,
    authorizer: Authorizer,
}

/// What a principal wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Read,
    Acknowledge,
    Discharge,
    /// Record a delivery.
    Deliver,
}

impl Act {
    pub fn as_str(self) -> &'static str {
        match self {
            Act::Read => "read",
            Act::Acknowledge => "acknowledge",
            Act::Discharge => "discharge",
            Act::Deliver => "deliver",
        }
    }
}

/// What it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource<'a> {
    Picture,
    Obligation {
        id: &'a str,
        party: &'a str,
    },
    /// A delivery record, by the party that says it delivered.
    Delivery {
        party: &'a str,
    },
}

/// The policy's text, shipped in the binary.
pub const POLICY_TEXT: &str = include_str!("policy.cedar");

impl Policy {
    pub fn new() -> Policy {
        // The policy is ours and fixed at build time: failing to parse it is a bug.
        let policies = PolicySet::from_str(POLICY_TEXT).expect("policy.cedar parses");
        Policy {
            policies,
            authorizer: Authorizer::new(),
        }
    }

    /// Cedar's decision; any error building the request (a name Cedar cannot hold) denies.
    pub fn allowed(&self, principal: &Principal, act: Act, resource: &Resource<'_>) -> bool {
        self.decide(principal, act, resource).unwrap_or(false)
    }

    fn decide(&self, principal: &Principal, act: Act, resource: &Resource<'_>) -> Option<bool> {
        let principal_uid = principal_uid(principal)?;
        let action = uid("Action", act.as_str())?;
        let mut entities = Vec::new();
        let resource_uid = match resource {
            Resource::Picture => uid("Picture", "cop")?,
            Resource::Obligation { id, party } => {
                let resource_uid = uid("Obligation", id)?;
                let owner = uid("Party", party)?;
                let attrs = HashMap::from([(
                    "party".to_owned(),
                    RestrictedExpression::new_entity_uid(owner),
                )]);
                entities.push(Entity::new(resource_uid.clone(), attrs, HashSet::new()).ok()?);
                resource_uid
            }
            Resource::Delivery { party } => {
                let resource_uid = uid("Delivery", party)?;
                let owner = uid("Party", party)?;
                let attrs = HashMap::from([(
                    "party".to_owned(),
                    RestrictedExpression::new_entity_uid(owner),
                )]);
                entities.push(Entity::new(resource_uid.clone(), attrs, HashSet::new()).ok()?);
                resource_uid
            }
        };
        let entities = Entities::from_entities(entities, None).ok()?;
        let request =
            Request::new(principal_uid, action, resource_uid, Context::empty(), None).ok()?;
        let response = self
            .authorizer
            .is_authorized(&request, &self.policies, &entities);
        Some(response.decision() == Decision::Allow)
    }
}

impl Default for Policy {
    fn default() -> Policy {
        Policy::new()
    }
}

fn principal_uid(principal: &Principal) -> Option<EntityUid> {
    match principal.role {
        Role::Party => uid("Party", &principal.name),
        Role::Observer => uid("Observer", &principal.name),
    }
}

fn uid(type_name: &str, id: &str) -> Option<EntityUid> {
    let type_name = cedar_policy::EntityTypeName::from_str(type_name).ok()?;
    Some(EntityUid::from_type_name_and_id(
        type_name,
        cedar_policy::EntityId::new(id),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Principal, Role, Via};

    fn party(name: &str) -> Principal {
        Principal {
            name: name.to_owned(),
            role: Role::Party,
            via: Via::Bearer,
        }
    }

    fn check(principal: &Principal, act: Act, resource: Resource<'_>, expect: bool) {
        let policy = Policy::new();
        assert_eq!(
            policy.allowed(principal, act, &resource),
            expect,
            "{principal:?} {act:?} {resource:?}"
        );
    }

    #[test]
    fn a_party_acts_on_its_own_obligations_only() {
        let own = Resource::Obligation {
            id: "shield/intercept/1/0",
            party: "PL",
        };
        let other = Resource::Obligation {
            id: "shield/intercept/1/1",
            party: "UA",
        };
        check(&party("PL"), Act::Acknowledge, own.clone(), true);
        check(&party("PL"), Act::Discharge, own, true);
        check(&party("PL"), Act::Acknowledge, other.clone(), false);
        check(&party("PL"), Act::Discharge, other, false);
    }

    #[test]
    fn observers_read_only() {
        let observer = Principal {
            name: "press".to_owned(),
            role: Role::Observer,
            via: Via::Bearer,
        };
        check(&observer, Act::Read, Resource::Picture, true);
        let own_name = Resource::Obligation {
            id: "x/1/0",
            party: "press",
        };
        check(&observer, Act::Acknowledge, own_name.clone(), false);
        check(&observer, Act::Discharge, own_name, false);
        check(&party("RO"), Act::Read, Resource::Picture, true);
        let press_delivery = Resource::Delivery { party: "press" };
        check(&observer, Act::Deliver, press_delivery, false);
    }

    #[test]
    fn a_party_records_deliveries_in_its_own_name_only() {
        check(
            &party("GB"),
            Act::Deliver,
            Resource::Delivery { party: "GB" },
            true,
        );
        check(
            &party("GB"),
            Act::Deliver,
            Resource::Delivery { party: "PL" },
            false,
        );
        // Delivering is not acknowledging: the obligation rule does not stretch to it.
        let own = Resource::Obligation {
            id: "x/1/0",
            party: "GB",
        };
        check(&party("GB"), Act::Deliver, own, false);
    }

    #[test]
    fn names_with_quotes_cannot_escape_the_policy() {
        let odd = party("PL\" || true || \"");
        let res = Resource::Obligation {
            id: "a\"b",
            party: "PL",
        };
        check(&odd, Act::Acknowledge, res, false);
    }
}
