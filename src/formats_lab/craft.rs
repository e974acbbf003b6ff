//! The Formats lab's "Craft packet" tab: a packet built layer by layer (Ethernet, IPv4, TCP or UDP,
//! payload) with lengths and checksums computed, shown as mapped bytes and saved as a `.pcap`.

use yew::prelude::*;

/// The tab (issue 14, helper B builds it out).
#[function_component(CraftPacket)]
pub fn craft_packet() -> Html {
    html! { <p class="empty">{"Packet crafting is being built."}</p> }
}
