//! The hook through which the Formats lab's tabs get their encoding and decoding done off the
//! main thread (`net::formats_engine`): it sends the tab's job whenever the job changes and keeps
//! the latest answer, shown until the next one arrives.

use std::cell::RefCell;
use std::rc::Rc;

use wire::formats_engine::EngineJob;
use yew::prelude::*;

use crate::net::formats_engine::{self, EngineAnswer};

/// The latest answer read by the tab (`None` before the first), and whether a newer job is out.
pub struct Worked<T> {
    pub latest: Option<Rc<T>>,
    pub working: bool,
}

/// Runs `job` in the formats engine whenever it changes; `read` turns each answer into what the
/// tab shows, once per answer. Answers to jobs that have since been replaced are dropped.
#[hook]
pub fn use_engine<T: 'static>(job: EngineJob, read: fn(EngineAnswer) -> T) -> Worked<T> {
    let latest = use_state(|| None::<Rc<T>>);
    let working = use_state(|| true);
    let asked: Rc<RefCell<u64>> = use_mut_ref(|| 0);
    // The job last sent: until the effect below has sent a changed job (it runs after this
    // render), the tab is already working on it, not showing its answer.
    let sent: Rc<RefCell<Option<EngineJob>>> = use_mut_ref(|| None);
    let not_sent_yet = sent.borrow().as_ref() != Some(&job);
    {
        let (latest, working) = (latest.clone(), working.clone());
        use_effect_with(job, move |job| {
            *sent.borrow_mut() = Some(job.clone());
            let generation = {
                let mut asked = asked.borrow_mut();
                *asked += 1;
                *asked
            };
            working.set(true);
            let job = job.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let answer = formats_engine::run(&job).await;
                if *asked.borrow() == generation {
                    latest.set(Some(Rc::new(read(answer))));
                    working.set(false);
                }
            });
        });
    }
    Worked { latest: (*latest).clone(), working: *working || not_sent_yet }
}
