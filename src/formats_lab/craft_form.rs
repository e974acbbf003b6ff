//! The Craft packet form, one group per layer (Ethernet II, IPv4, UDP or TCP, payload), each
//! field labelled, its problem said under it. A computed field (lengths, checksums, protocol,
//! data offset) shows its computed value until "set by hand" is ticked; a value set by hand that
//! differs from the computed one is marked. Pointing at or focusing a field reports it, so the
//! tab lights its bytes; the fields whose bytes are pointed at are lit.

use std::rc::Rc;

use wire::packets::craft::{
    Computed, Control, CraftEdit, CraftField, CraftForm, FieldProblem, Layer, PayloadKind, Toggle, Transport,
};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CraftFieldsProps {
    pub form: CraftForm,
    pub problems: Rc<Vec<FieldProblem>>,
    /// The computed values of the packet on show.
    pub computed: Option<Computed>,
    /// The fields set by hand to something other than their computed value.
    pub differs: Rc<Vec<CraftField>>,
    /// The controls whose bytes are pointed at.
    pub lit: Rc<Vec<Control>>,
    pub on_edit: Callback<CraftEdit>,
    /// A control pointed at or focused, or none.
    pub on_focus: Callback<Option<Control>>,
}

/// Every control of the form, in its order.
pub fn controls() -> impl Iterator<Item = Control> {
    CraftField::ALL
        .into_iter()
        .map(Control::Field)
        .chain([Toggle::DontFragment, Toggle::MoreFragments].map(Control::Toggle))
        .chain(Toggle::TCP_FLAGS.map(Control::Toggle))
}

#[function_component(CraftFields)]
pub fn craft_fields(props: &CraftFieldsProps) -> Html {
    let form = &props.form;
    let transport = form.transport;
    let fields_of = |layer: Layer| -> Html {
        CraftField::ALL
            .into_iter()
            .filter(|field| field.layer() == layer && field.only_for().is_none_or(|only| only == transport))
            .filter(|field| *field != CraftField::Payload)
            .map(|field| text_field(props, field))
            .collect()
    };
    let toggles = |toggles: &[Toggle]| -> Html { toggles.iter().map(|toggle| toggle_box(props, *toggle)).collect() };
    let transport_choice = Transport::ALL.iter().map(|choice| {
        let choice = *choice;
        let onchange = props.on_edit.reform(move |_| CraftEdit::Transport(choice));
        html! {
            <label class="craft-radio">
                <input type="radio" name="craft-transport" checked={transport == choice} {onchange} />
                {choice.label()}
            </label>
        }
    });
    html! {
        <div class="craft-form">
            <fieldset class="craft-layer">
                <legend>{"Ethernet II"}</legend>
                <div class="craft-grid">{fields_of(Layer::Ethernet)}</div>
            </fieldset>
            <fieldset class="craft-layer">
                <legend>{"IPv4"}</legend>
                <div class="craft-grid">{fields_of(Layer::Ipv4)}</div>
                <div class="craft-flags" role="group" aria-label="IPv4 flags">
                    {toggles(&[Toggle::DontFragment, Toggle::MoreFragments])}
                </div>
            </fieldset>
            <fieldset class="craft-layer">
                <legend>{"Transport"}</legend>
                <div class="craft-flags" role="radiogroup" aria-label="Transport">{for transport_choice}</div>
                <div class="craft-grid">{fields_of(Layer::Transport)}</div>
                if transport == Transport::Tcp {
                    <div class="craft-flags" role="group" aria-label="TCP flags">{toggles(&Toggle::TCP_FLAGS)}</div>
                }
            </fieldset>
            <fieldset class="craft-layer">
                <legend>{"Payload"}</legend>
                {payload_field(props)}
            </fieldset>
        </div>
    }
}

/// Reports the control while the pointer is over it or the focus is in it.
fn focus_handlers(props: &CraftFieldsProps, control: Control) -> [Callback<FocusEvent>; 2] {
    [props.on_focus.reform(move |_| Some(control)), props.on_focus.reform(|_| None)]
}

fn hover_handlers(props: &CraftFieldsProps, control: Control) -> [Callback<MouseEvent>; 2] {
    [props.on_focus.reform(move |_| Some(control)), props.on_focus.reform(|_| None)]
}

fn problem_of(props: &CraftFieldsProps, field: CraftField) -> Option<String> {
    props.problems.iter().find(|problem| problem.field == field).map(|problem| problem.message.clone())
}

fn text_field(props: &CraftFieldsProps, field: CraftField) -> Html {
    let form = &props.form;
    let control = Control::Field(field);
    let id = format!("craft-{}", field.key());
    let error_id = format!("{id}-error");
    let problem = problem_of(props, field);
    let computed_text = props.computed.and_then(|computed| computed.text(field));
    let by_hand = field.is_computed() && form.is_overridden(field);
    let shows_computed = field.is_computed() && !by_hand;
    let value = if shows_computed { computed_text.clone().unwrap_or_default() } else { form.text(field).to_owned() };
    let differs = by_hand && props.differs.contains(&field);
    let oninput = props.on_edit.reform(move |event: InputEvent| {
        let input: web_sys::HtmlInputElement = event.target_unchecked_into();
        CraftEdit::Text(field, input.value())
    });
    let [onfocusin, onfocusout] = focus_handlers(props, control);
    let [onmouseenter, onmouseleave] = hover_handlers(props, control);
    let lit = props.lit.contains(&control);
    let set_by_hand = field.is_computed().then(|| {
        let onchange = props.on_edit.reform(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            CraftEdit::Override(field, input.checked())
        });
        html! {
            <label class="craft-by-hand">
                <input type="checkbox" checked={by_hand} {onchange}
                    aria-label={format!("set by hand: {}", field.label())} />
                <span aria-hidden="true">{"set by hand"}</span>
            </label>
        }
    });
    html! {
        <div class={classes!("craft-field", lit.then_some("lit"), differs.then_some("differs"))}
            data-field={field.key()} {onfocusin} {onfocusout} {onmouseenter} {onmouseleave}>
            <label class="field-label" for={id.clone()}>{field.label()}</label>
            <input {id} type="text" class={classes!("mono", shows_computed.then_some("computed"))} spellcheck="false"
                autocomplete="off" value={value} readonly={shows_computed}
                aria-invalid={problem.is_some().to_string()}
                aria-describedby={problem.is_some().then(|| error_id.clone())} {oninput} />
            if field.is_computed() {
                <div class="craft-under">
                    {set_by_hand}
                    if differs {
                        <span class="craft-differs">{format!("≠ computed {}", computed_text.unwrap_or_default())}</span>
                    }
                </div>
            }
            if let Some(problem) = problem {
                <p class="field-error" id={error_id}>{problem}</p>
            }
        </div>
    }
}

fn toggle_box(props: &CraftFieldsProps, toggle: Toggle) -> Html {
    let control = Control::Toggle(toggle);
    let onchange = props.on_edit.reform(move |event: Event| {
        let input: web_sys::HtmlInputElement = event.target_unchecked_into();
        CraftEdit::Toggle(toggle, input.checked())
    });
    let [onfocusin, onfocusout] = focus_handlers(props, control);
    let [onmouseenter, onmouseleave] = hover_handlers(props, control);
    let lit = props.lit.contains(&control);
    html! {
        <label class={classes!("craft-check", lit.then_some("lit"))} data-field={toggle.key()}
            {onfocusin} {onfocusout} {onmouseenter} {onmouseleave}>
            <input type="checkbox" checked={props.form.is_on(toggle)} {onchange} />
            {toggle.label()}
        </label>
    }
}

fn payload_field(props: &CraftFieldsProps) -> Html {
    let form = &props.form;
    let field = CraftField::Payload;
    let control = Control::Field(field);
    let problem = problem_of(props, field);
    let kinds = PayloadKind::ALL.iter().map(|kind| {
        let kind = *kind;
        html! { <option value={kind.label()} selected={form.payload_kind == kind}>{kind.label()}</option> }
    });
    let on_kind = props.on_edit.reform(|event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        let kind = PayloadKind::ALL.into_iter().find(|kind| kind.label() == select.value());
        CraftEdit::PayloadKind(kind.unwrap_or(PayloadKind::Text))
    });
    let oninput = props.on_edit.reform(move |event: InputEvent| {
        let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
        CraftEdit::Text(field, area.value())
    });
    let [onfocusin, onfocusout] = focus_handlers(props, control);
    let [onmouseenter, onmouseleave] = hover_handlers(props, control);
    let lit = props.lit.contains(&control);
    let placeholder = match form.payload_kind {
        PayloadKind::Text => "Text, sent as UTF-8",
        PayloadKind::Hex => "1a 2b 01 00 …",
        PayloadKind::Base64 => "R0VUIC8=",
    };
    html! {
        <div class={classes!("craft-field", "craft-payload", lit.then_some("lit"))} data-field={field.key()}
            {onfocusin} {onfocusout} {onmouseenter} {onmouseleave}>
            <div class="craft-label-row">
                <label class="field-label" for="craft-payload">{"Payload"}</label>
                <select class="craft-kind" onchange={on_kind} aria-label="Payload typed as">{for kinds}</select>
                if form.payload_kind == PayloadKind::Text {
                    {toggle_box(props, Toggle::CrLf)}
                }
            </div>
            <textarea id="craft-payload" class="mono" spellcheck="false" value={form.text(field).to_owned()} {placeholder}
                aria-invalid={problem.is_some().to_string()}
                aria-describedby={problem.is_some().then_some("craft-payload-error")} {oninput} />
            if let Some(problem) = problem {
                <p class="field-error" id="craft-payload-error">{problem}</p>
            }
        </div>
    }
}
