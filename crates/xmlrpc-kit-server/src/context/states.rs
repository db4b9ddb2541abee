//! Application state added to a method table, one value per type.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// Application state shared by every handler of a method table
/// ([`Methods::add_state`](crate::Methods::add_state)), one value per type.
#[derive(Clone, Default)]
pub(crate) struct States {
    by_type: Option<Arc<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>>,
}

impl std::fmt::Debug for States {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.by_type.as_ref().map_or(0, |m| m.len());
        f.debug_struct("States").field("count", &count).finish()
    }
}

/// No state.
pub(crate) static NO_STATES: States = States { by_type: None };

impl States {
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        let map = self.by_type.get_or_insert_with(Default::default);
        Arc::make_mut(map).insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// Adds `other`'s values, replacing those of the same types.
    pub(crate) fn extend(&mut self, other: &States) {
        let Some(theirs) = &other.by_type else { return };
        let map = self.by_type.get_or_insert_with(Default::default);
        Arc::make_mut(map).extend(theirs.iter().map(|(k, v)| (*k, v.clone())));
    }

    pub(crate) fn get<T: 'static>(&self) -> Option<&T> {
        self.by_type
            .as_ref()?
            .get(&TypeId::of::<T>())?
            .downcast_ref()
    }
}
