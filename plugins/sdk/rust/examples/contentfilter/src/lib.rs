//! The content filter, in Rust: rejects `app.bsky.feed.post` records whose
//! text contains one of the configured `banned` words (case-insensitive)
//! with `ContentRejected`. The same behaviour as the Go SDK's example in
//! `plugins/examples/contentfilter`.

use pds_plugin_api::host::{self, Level};
use pds_plugin_api::{json, register_plugin, Decision, Plugin, RecordEvent};

mod matcher;

use matcher::Matcher;

/// The plugin's state: the banned words, lower-cased, ready to search.
pub struct ContentFilter {
    banned: Matcher,
}

impl ContentFilter {
    /// A filter for these words.
    pub fn new<S: AsRef<str>>(words: &[S]) -> Self {
        let words: Vec<Vec<u8>> = words.iter().map(|w| w.as_ref().to_lowercase().into_bytes()).collect();
        ContentFilter {
            banned: Matcher::new(&words),
        }
    }

    /// Whether text contains a banned word, ignoring case as Go's
    /// strings.ToLower does (Unicode rules). ASCII text, the usual case,
    /// is searched in place; other text is lower-cased first.
    pub fn matches(&self, text: &str) -> bool {
        if self.banned.is_empty() {
            return false;
        }
        match self.banned.find(text.as_bytes(), true) {
            Some(found) => found,
            None => self.banned.find(text.to_lowercase().as_bytes(), false).unwrap_or(false),
        }
    }
}

/// The host builds the plugin on the first call of a fresh instance, and
/// starts a fresh one after every configuration change: the words are read
/// once per instance.
impl Default for ContentFilter {
    fn default() -> Self {
        let raw = match host::config_get("banned") {
            Ok(raw) => raw,
            Err(e) => {
                host::log(Level::Warn, &format!("no banned words configured: {e}"));
                return ContentFilter::new::<&str>(&[]);
            }
        };
        match json::parse_string_array(&raw) {
            Ok(words) => ContentFilter::new(&words),
            Err(e) => {
                host::log(Level::Error, &format!("config banned: {e}"));
                ContentFilter::new::<&str>(&[])
            }
        }
    }
}

impl Plugin for ContentFilter {
    fn before_create(&mut self, ev: &RecordEvent<'_>) -> Decision {
        if self.matches(ev.text("text")) {
            return Decision::reject("ContentRejected", "the post contains a banned word");
        }
        Decision::Allow
    }
}

register_plugin!(ContentFilter);

#[cfg(test)]
mod tests {
    use super::*;
    use pds_plugin_api::{fake, Value};

    #[test]
    fn filters_configured_words() {
        fake::reset();
        fake::with(|h| h.config.insert("banned".into(), r#"["Spam","crypto giveaway"]"#.into()));
        let mut f = ContentFilter::default();
        for (text, rejected) in [
            ("hello", false),
            ("more SPAM please", true),
            ("a Crypto Giveaway!", true),
            ("", false),
        ] {
            let rec = Value::Map(vec![
                ("$type".into(), "app.bsky.feed.post".into()),
                ("text".into(), text.into()),
            ]);
            let cbor = rec.encode().unwrap();
            let ev = RecordEvent {
                collection: "app.bsky.feed.post",
                record: Some(pds_plugin_api::Record::new(&cbor)),
                ..Default::default()
            };
            let d = f.before_create(&ev);
            assert_eq!(d.is_reject(), rejected, "{text:?}: {d:?}");
        }
    }

    #[test]
    fn case_insensitive_like_go() {
        let f = ContentFilter::new(&["Spam", "crypto giveaway", "ÉTÉ", "ß"]);
        for (text, want) in [
            ("SPAM", true),
            ("sPaM!", true),
            ("spa m", false),
            ("sp", false),
            ("free CRYPTO GIVEAWAY", true),
            ("crypto give away", false),
            ("un été chaud", true),
            ("UN ÉTÉ", true),
            ("ete", false),
            ("STRASSE", false),
            ("straße", true),
            ("ünïcode spam", true),
        ] {
            assert_eq!(f.matches(text), want, "{text:?}");
        }
        assert!(!ContentFilter::new(&[""]).matches("anything"));
    }

    #[test]
    fn bad_or_missing_config_allows_everything() {
        fake::reset();
        assert!(!ContentFilter::default().matches("spam"));
        fake::with(|h| h.config.insert("banned".into(), "not json".into()));
        assert!(!ContentFilter::default().matches("spam"));
        assert_eq!(fake::with(|h| h.logs.len()), 2);
    }
}
