//! What a budget may pay for: its type's rules (an individual service fund pays only its
//! provider; a managed account only framework care), the price it pays, and the service's hours.
use super::answers::{Pattern, visit_cost};
use crate::domain::ranking::Rating;
use crate::domain::uk_time::weekday_name;
use crate::domain::values::and_list;
use crate::entities::{accreditation, budget, framework, listing, listing_availability, lot, provider};
use crate::error::{AppError, AppResult};
use app::{AccreditationStatus, BudgetType};
use chrono::{NaiveTime, Weekday};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// What a booking is charged: the listing's public price, or, for care placed through a
/// framework lot, the rate the council contracted on that lot (whatever the listing says now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    pub unit_price_pence: i64,
    pub unit: String,
    /// The lot the care is placed through, if it is.
    pub lot_id: Option<i64>,
}

impl Price {
    fn public(listing: &listing::Model) -> Self {
        Self { unit_price_pence: listing.price_pence, unit: listing.unit.clone(), lot_id: None }
    }

    pub(super) fn contracted(lot: &lot::Model, accredited: &accreditation::Model) -> Self {
        Self { unit_price_pence: accredited.contracted_rate_pence, unit: lot.unit.clone(), lot_id: Some(lot.id) }
    }

    pub(super) fn per_visit(&self, minutes: u32) -> i64 {
        visit_cost(&self.unit, self.unit_price_pence, minutes)
    }
}

/// What this budget pays for this service, refused where its type does not allow it. Care
/// placed through the council's framework (a managed account always; anyone asking for "best
/// value on the framework") is charged the contracted rate on a lot of the budget's own
/// council; other care the listing's public price.
pub(super) async fn price_for_budget(
    db: &impl ConnectionTrait,
    budget: &budget::Model,
    listing: &listing::Model,
    provider: &provider::Model,
    best_value: bool,
) -> AppResult<Price> {
    fund_allows(db, budget, provider).await?;
    let through_framework = budget.budget_type == BudgetType::ManagedAccount || best_value;
    if !through_framework {
        return Ok(Price::public(listing));
    }
    let placed = framework_place(db, budget.council_id, listing, None).await?;
    let gated = Rating::from_code(&provider.regulator_rating).is_some_and(Rating::bars_framework_work);
    match placed {
        Some((lot, accredited)) if !gated => {
            if accredited.contracted_rate_pence > lot.price_cap_pence {
                return Err(AppError::invalid(
                    "",
                    format!(
                        "This service is contracted at {}, over the council's cap of {}: it cannot be booked through the framework",
                        app::format_price(accredited.contracted_rate_pence, &lot.unit),
                        app::format_price(lot.price_cap_pence, &lot.unit)
                    ),
                ));
            }
            Ok(Price::contracted(&lot, &accredited))
        }
        _ if budget.budget_type == BudgetType::ManagedAccount => Err(AppError::invalid(
            "",
            "A managed account can only pay for services on the council's framework: choose one marked \"On the council's framework\"",
        )),
        _ => Err(AppError::invalid("", "This service is not on the council's framework: choose it as a service of your own choice instead")),
    }
}

/// An individual service fund pays only the provider holding it.
pub(super) async fn fund_allows(db: &impl ConnectionTrait, budget: &budget::Model, provider: &provider::Model) -> AppResult<()> {
    if budget.budget_type != BudgetType::IndividualServiceFund || budget.isf_provider_id == Some(provider.id) {
        return Ok(());
    }
    let holder = match budget.isf_provider_id {
        Some(id) => provider::Entity::find_by_id(id).one(db).await?.map_or_else(|| "another provider".to_string(), |p| p.name),
        None => "another provider".to_string(),
    };
    Err(AppError::invalid("", format!("This individual service fund is held by {holder}: only their services can be booked from it")))
}

/// The lot (of one of this council's frameworks; `only_lot` if given) this service is actively
/// contracted on, with its accreditation, the lowest rate first.
pub(super) async fn framework_place(
    db: &impl ConnectionTrait,
    council_id: i64,
    listing: &listing::Model,
    only_lot: Option<i64>,
) -> AppResult<Option<(lot::Model, accreditation::Model)>> {
    let mut accredited = accreditation::Entity::find()
        .filter(accreditation::Column::ListingId.eq(listing.id))
        .filter(accreditation::Column::Status.eq(AccreditationStatus::Active))
        .order_by_asc(accreditation::Column::ContractedRatePence);
    if let Some(lot_id) = only_lot {
        accredited = accredited.filter(accreditation::Column::LotId.eq(lot_id));
    }
    let accredited = accredited.all(db).await?;
    let councils_lots = lot::Entity::find()
        .filter(lot::Column::Id.is_in(accredited.iter().map(|a| a.lot_id)))
        .filter(
            lot::Column::FrameworkId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(framework::Column::Id)
                    .from(framework::Entity)
                    .and_where(framework::Column::CouncilId.eq(council_id))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?;
    Ok(accredited.into_iter().find_map(|a| councils_lots.iter().find(|lot| lot.id == a.lot_id).map(|lot| (lot.clone(), a))))
}

/// Refused unless every visit fits inside the service's published hours for its day.
pub(super) async fn available_then(db: &impl ConnectionTrait, listing: &listing::Model, provider: &provider::Model, pattern: &Pattern) -> AppResult<()> {
    let hours = listing_availability::Entity::find().filter(listing_availability::Column::ListingId.eq(listing.id)).all(db).await?;
    let start = minute_of_day(pattern.start);
    let end = start + i64::from(pattern.minutes);
    for &day in &pattern.weekdays {
        let windows: Vec<&listing_availability::Model> = hours.iter().filter(|h| u32::try_from(h.weekday).ok() == Some(day)).collect();
        let name = Weekday::try_from(u8::try_from(day - 1).unwrap_or(0)).map(weekday_name).unwrap_or("that day");
        if windows.is_empty() {
            return Err(AppError::invalid("date", format!("{} does not offer this service on {name}s", provider.name)));
        }
        if !windows.iter().any(|w| i64::from(w.opens_minute) <= start && end <= i64::from(w.closes_minute)) {
            let open: Vec<String> = windows.iter().map(|w| format!("{} to {}", clock(w.opens_minute), clock(w.closes_minute))).collect();
            return Err(AppError::invalid(
                "time",
                format!(
                    "On {name}s {} works {}: choose a time inside those hours",
                    provider.name,
                    and_list(&open.iter().map(String::as_str).collect::<Vec<_>>())
                ),
            ));
        }
    }
    Ok(())
}

fn minute_of_day(time: NaiveTime) -> i64 {
    use chrono::Timelike;
    i64::from(time.hour() * 60 + time.minute())
}

fn clock(minute: i32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}
