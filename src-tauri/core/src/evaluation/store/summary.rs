//! The group totals of a run, added up while its members are saved.

use crate::evaluation::{Decision, Measures};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;

/// Customers, revenue, contribution and service cost of one group of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct GroupFigures {
    pub key: String,
    pub customers: u32,
    pub revenue_minor: i64,
    pub contribution_minor: i64,
    pub service_cost_minor: i64,
    pub predicted_clv_minor: i64,
}

/// Group totals of a run, kept with it so overviews need no pass over the members.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct RunSummary {
    pub tiers: Vec<GroupFigures>,
    pub segments: Vec<GroupFigures>,
    pub value_classes: Vec<GroupFigures>,
    pub lifecycle: Vec<GroupFigures>,
    pub behaviour: Vec<GroupFigures>,
    pub service_levels: Vec<GroupFigures>,
    pub next_actions: Vec<GroupFigures>,
    pub potential_head: u32,
    pub influential: u32,
    pub exit_candidates: u32,
}

/// Adds members up into a [`RunSummary`] as they are saved.
#[derive(Default)]
pub(super) struct SummaryBuilder {
    /// Tiers, segments, value classes, lifecycle, behaviour, service levels, next actions.
    groups: [BTreeMap<&'static str, GroupFigures>; 7],
    potential_head: u32,
    influential: u32,
    exit_candidates: u32,
}

impl SummaryBuilder {
    pub(super) fn add(&mut self, m: &Measures, d: &Decision) {
        let keys = [
            Some(d.tier.as_str()),
            d.segment.map(|s| s.as_str()),
            d.value_class.map(|c| c.as_str()),
            Some(d.lifecycle.as_str()),
            d.behaviour.map(|b| b.as_str()),
            Some(d.service_level.as_str()),
            d.next_action.map(|a| a.as_str()),
        ];
        for (groups, key) in self.groups.iter_mut().zip(keys) {
            let Some(key) = key else { continue };
            let g =
                groups.entry(key).or_insert_with(|| GroupFigures { key: key.to_owned(), ..GroupFigures::default() });
            g.customers += 1;
            g.revenue_minor += m.monetary_minor;
            g.contribution_minor += m.contribution_minor;
            g.service_cost_minor += m.window_service_cost_minor;
            g.predicted_clv_minor += m.predicted_clv_minor.unwrap_or(0);
        }
        self.potential_head += u32::from(d.potential_head);
        self.influential += u32::from(d.influential);
        self.exit_candidates += u32::from(d.exit_step.is_some());
    }

    pub(super) fn finish(self) -> RunSummary {
        let [tiers, segments, value_classes, lifecycle, behaviour, service_levels, next_actions] =
            self.groups.map(|g| g.into_values().collect());
        RunSummary {
            tiers,
            segments,
            value_classes,
            lifecycle,
            behaviour,
            service_levels,
            next_actions,
            potential_head: self.potential_head,
            influential: self.influential,
            exit_candidates: self.exit_candidates,
        }
    }
}
