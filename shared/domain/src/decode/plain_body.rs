//! The quickest path: reads a body in the plain form (see [`super::json_reader`])
//! straight into the envelope and the queue's payload type. `None` means
//! "not plain enough": the caller then decodes with serde_json, so for every
//! body this path accepts it must build exactly what serde would.
//!
//! Venue updates are rare and nested; they always take the serde path.

use std::borrow::Cow;

use super::Envelope;
use super::json_reader::Reader;
use crate::event::{
    CartAction, CartItem, CartUpdate, EventData, EventType, PageView, ScanResult, TicketPurchase,
    TicketScan,
};

pub(super) fn read(queue: EventType, body: &str) -> Option<Envelope<'_, EventData<'_>>> {
    let r = &mut Reader::new(body);
    let (mut specversion, mut id, mut source, mut event_type) = (None, None, None, None);
    let (mut time, mut datacontenttype, mut data) = (None, None, None);
    let mut more = r.begin_object()?;
    while more {
        match r.key()? {
            "specversion" => put(&mut specversion, optional_text(r)?)?,
            "id" => put(&mut id, optional_text(r)?)?,
            "source" => put(&mut source, optional_text(r)?)?,
            "type" => put(&mut event_type, optional_text(r)?)?,
            "time" => put(&mut time, optional_text(r)?)?,
            "datacontenttype" => put(&mut datacontenttype, optional_text(r)?)?,
            "data" => put(&mut data, payload(queue, r)?)?,
            _ => r.skip_scalar()?,
        }
        more = r.next_member()?;
    }
    r.end()?;
    Some(Envelope {
        specversion: specversion.flatten(),
        id: id.flatten(),
        source: source.flatten(),
        event_type: event_type.flatten(),
        time: time.flatten(),
        datacontenttype: datacontenttype.flatten(),
        data: Some(data?),
    })
}

/// Fills a field once: serde refuses duplicate fields.
fn put<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

fn text<'a>(r: &mut Reader<'a>) -> Option<Cow<'a, str>> {
    r.string().map(Cow::Borrowed)
}

/// An optional string: `null` reads as `None`.
fn optional_text<'a>(r: &mut Reader<'a>) -> Option<Option<Cow<'a, str>>> {
    if r.null() {
        return Some(None);
    }
    text(r).map(Some)
}

fn amount(r: &mut Reader<'_>) -> Option<i64> {
    i64::try_from(r.unsigned()?).ok()
}

fn count(r: &mut Reader<'_>) -> Option<u32> {
    u32::try_from(r.unsigned()?).ok()
}

fn payload<'a>(queue: EventType, r: &mut Reader<'a>) -> Option<EventData<'a>> {
    Some(match queue {
        EventType::TicketPurchase => EventData::TicketPurchase(ticket_purchase(r)?),
        EventType::TicketScan => EventData::TicketScan(ticket_scan(r)?),
        EventType::PageView => EventData::PageView(page_view(r)?),
        EventType::CartUpdate => EventData::CartUpdate(cart_update(r)?),
        EventType::VenueUpdate | EventType::TicketRefund => return None,
    })
}

fn ticket_purchase<'a>(r: &mut Reader<'a>) -> Option<TicketPurchase<'a>> {
    let (mut order_id, mut ticket_id, mut event_id, mut venue_id) = (None, None, None, None);
    let (mut user_id, mut amount_, mut currency, mut quantity) = (None, None, None, None);
    let (mut tier, mut channel, mut campaign_id, mut show_starts_at) = (None, None, None, None);
    let mut more = r.begin_object()?;
    while more {
        match r.key()? {
            "orderId" => put(&mut order_id, text(r)?)?,
            "ticketId" => put(&mut ticket_id, text(r)?)?,
            "eventId" => put(&mut event_id, text(r)?)?,
            "venueId" => put(&mut venue_id, text(r)?)?,
            "userId" => put(&mut user_id, text(r)?)?,
            "amount" => put(&mut amount_, amount(r)?)?,
            "currency" => put(&mut currency, text(r)?)?,
            "quantity" => put(&mut quantity, count(r)?)?,
            "tier" => put(&mut tier, optional_text(r)?)?,
            "channel" => put(&mut channel, optional_text(r)?)?,
            "campaignId" => put(&mut campaign_id, optional_text(r)?)?,
            // A start time takes the serde path (chrono's lenient parser); `null` is none.
            "showStartsAt" => put(&mut show_starts_at, r.null().then_some(())?)?,
            _ => r.skip_scalar()?,
        }
        more = r.next_member()?;
    }
    Some(TicketPurchase {
        order_id: order_id?,
        ticket_id: ticket_id?,
        event_id: event_id?,
        venue_id: venue_id?,
        user_id: user_id?,
        amount: amount_?,
        currency: currency?,
        quantity: quantity.unwrap_or(1),
        tier: tier.flatten(),
        channel: channel.flatten(),
        campaign_id: campaign_id.flatten(),
        show_starts_at: None,
    })
}

fn ticket_scan<'a>(r: &mut Reader<'a>) -> Option<TicketScan<'a>> {
    let (mut ticket_id, mut event_id, mut venue_id) = (None, None, None);
    let (mut entry_point, mut result) = (None, None);
    let mut more = r.begin_object()?;
    while more {
        match r.key()? {
            "ticketId" => put(&mut ticket_id, text(r)?)?,
            "eventId" => put(&mut event_id, text(r)?)?,
            "venueId" => put(&mut venue_id, text(r)?)?,
            "entryPoint" => put(&mut entry_point, text(r)?)?,
            "result" => put(&mut result, scan_result(r)?)?,
            _ => r.skip_scalar()?,
        }
        more = r.next_member()?;
    }
    Some(TicketScan {
        ticket_id: ticket_id?,
        event_id: event_id?,
        venue_id: venue_id?,
        entry_point: entry_point?,
        result: result?,
    })
}

fn scan_result(r: &mut Reader<'_>) -> Option<ScanResult> {
    match r.string()? {
        "admitted" => Some(ScanResult::Admitted),
        "rejected" => Some(ScanResult::Rejected),
        "duplicate" => Some(ScanResult::Duplicate),
        _ => None,
    }
}

fn page_view<'a>(r: &mut Reader<'a>) -> Option<PageView<'a>> {
    let (mut session_id, mut path, mut user_id, mut venue_id) = (None, None, None, None);
    let (mut event_id, mut referrer, mut campaign_id) = (None, None, None);
    let mut more = r.begin_object()?;
    while more {
        match r.key()? {
            "sessionId" => put(&mut session_id, text(r)?)?,
            "path" => put(&mut path, text(r)?)?,
            "userId" => put(&mut user_id, optional_text(r)?)?,
            "venueId" => put(&mut venue_id, optional_text(r)?)?,
            "eventId" => put(&mut event_id, optional_text(r)?)?,
            "referrer" => put(&mut referrer, optional_text(r)?)?,
            "campaignId" => put(&mut campaign_id, optional_text(r)?)?,
            _ => r.skip_scalar()?,
        }
        more = r.next_member()?;
    }
    Some(PageView {
        session_id: session_id?,
        path: path?,
        user_id: user_id.flatten(),
        venue_id: venue_id.flatten(),
        event_id: event_id.flatten(),
        referrer: referrer.flatten(),
        campaign_id: campaign_id.flatten(),
    })
}

fn cart_update<'a>(r: &mut Reader<'a>) -> Option<CartUpdate<'a>> {
    let (mut cart_id, mut user_id, mut event_id, mut venue_id) = (None, None, None, None);
    let (mut action, mut items, mut cart_value, mut currency) = (None, None, None, None);
    let mut more = r.begin_object()?;
    while more {
        match r.key()? {
            "cartId" => put(&mut cart_id, text(r)?)?,
            "userId" => put(&mut user_id, text(r)?)?,
            "eventId" => put(&mut event_id, text(r)?)?,
            "venueId" => put(&mut venue_id, text(r)?)?,
            "action" => put(&mut action, cart_action(r)?)?,
            "items" => put(&mut items, cart_items(r)?)?,
            "cartValue" => put(&mut cart_value, amount(r)?)?,
            "currency" => put(&mut currency, text(r)?)?,
            _ => r.skip_scalar()?,
        }
        more = r.next_member()?;
    }
    Some(CartUpdate {
        cart_id: cart_id?,
        user_id: user_id?,
        event_id: event_id?,
        venue_id: venue_id?,
        action: action?,
        items: items.unwrap_or_default(),
        cart_value: cart_value?,
        currency: currency?,
    })
}

fn cart_action(r: &mut Reader<'_>) -> Option<CartAction> {
    match r.string()? {
        "add" => Some(CartAction::Add),
        "remove" => Some(CartAction::Remove),
        "checkout" => Some(CartAction::Checkout),
        "abandon" => Some(CartAction::Abandon),
        _ => None,
    }
}

fn cart_items<'a>(r: &mut Reader<'a>) -> Option<Vec<CartItem<'a>>> {
    let mut items = Vec::new();
    let mut more = r.begin_array()?;
    while more {
        items.push(cart_item(r)?);
        more = r.next_element()?;
    }
    Some(items)
}

fn cart_item<'a>(r: &mut Reader<'a>) -> Option<CartItem<'a>> {
    let (mut tier, mut quantity, mut unit_amount) = (None, None, None);
    let mut more = r.begin_object()?;
    while more {
        match r.key()? {
            "tier" => put(&mut tier, text(r)?)?,
            "quantity" => put(&mut quantity, count(r)?)?,
            "unitAmount" => put(&mut unit_amount, amount(r)?)?,
            _ => r.skip_scalar()?,
        }
        more = r.next_member()?;
    }
    Some(CartItem {
        tier: tier?,
        quantity: quantity?,
        unit_amount: unit_amount?,
    })
}
