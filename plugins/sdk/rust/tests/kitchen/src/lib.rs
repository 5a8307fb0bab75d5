//! The Rust SDK's test guest. A post's text is a command; the before-hook
//! runs it and answers with a rejection named "Probe" whose message is the
//! outcome, so the test reads it from the client's 400 ("shout …" instead
//! replaces the record). The after-hook and the firehose hook leave their
//! traces in kv, which the registered method `…rustkitchen.get` serves.

use pds_plugin_api::host::{self, HostError, HttpRequest, Level};
use pds_plugin_api::{register_plugin, CommitEvent, Decision, Plugin, RecordEvent, Value, XrpcRequest, XrpcResponse};

#[derive(Default)]
struct Kitchen;

fn probe(msg: String) -> Decision {
    Decision::reject("Probe", msg)
}

fn kv() -> Result<String, HostError> {
    host::kv_put("k/1", b"one")?;
    host::kv_put("k/2", b"two")?;
    let one = host::kv_get("k/1")?;
    let keys = host::kv_list("k/", "", 0)?;
    let after = host::kv_list("k/", "k/1", 10)?;
    host::kv_delete("k/1")?;
    let gone = host::kv_get("k/1");
    let quota = host::kv_put("big", &[b'x'; 2048]);
    Ok(format!(
        "{} {:?} {:?} {:?} {:?}",
        String::from_utf8_lossy(&one),
        keys,
        after,
        gone,
        quota
    ))
}

fn records(repo: &str) -> Result<String, HostError> {
    let profile = host::record_get(repo, "app.bsky.actor.profile", "self")?;
    let name = profile.record().text("displayName").unwrap_or("").to_string();
    let posts = host::record_list(repo, "app.bsky.feed.post", "", 100)?;
    let missing = host::record_get(repo, "app.bsky.actor.profile", "nope");
    let outside = host::record_get(repo, "dev.other.thing", "self");
    Ok(format!(
        "{} {} {} {:?} {}",
        name,
        profile.cid.starts_with("bafy"),
        posts.len(),
        missing,
        outside.is_err()
    ))
}

fn blob(repo: &str, cid: &str) -> Result<String, HostError> {
    let head = host::blob_read(repo, cid, 0, 5)?;
    let rest = host::blob_read(repo, cid, 5, 1 << 20)?;
    let end = host::blob_read(repo, cid, (head.len() + rest.len()) as u64, 10)?;
    Ok(format!(
        "{} {} {}",
        String::from_utf8_lossy(&head),
        rest.len(),
        end.len()
    ))
}

fn export(repo: &str) -> Result<String, HostError> {
    let mut total = 0u64;
    loop {
        let chunk = host::repo_export(repo, "", total, 256)?;
        if chunk.is_empty() {
            break;
        }
        total += chunk.len() as u64;
    }
    Ok(format!("car {}", total))
}

fn fetch() -> Result<String, HostError> {
    let url = host::config_get("url")?;
    let req = HttpRequest::new("POST", &url).header("X-Probe", "rust").body(b"ping");
    let resp = host::http_fetch(&req)?;
    let other = url.replace("127.0.0.1", "localhost");
    let denied = host::http_fetch(&HttpRequest::new("POST", &other));
    let get = host::http_fetch(&HttpRequest::new("GET", &url));
    let denied = matches!(denied, Err(HostError::Denied(_))) && matches!(get, Err(HostError::Denied(_)));
    Ok(format!(
        "{} {} {} {}",
        resp.status,
        String::from_utf8_lossy(&resp.body),
        denied,
        resp.header("x-echo").unwrap_or("no header")
    ))
}

fn file() -> String {
    let wrote = std::fs::write("/data/probe.txt", b"kept").and_then(|_| std::fs::read_to_string("/data/probe.txt"));
    let outside = std::fs::read_to_string("/etc/passwd").is_err();
    format!("{:?} {}", wrote, outside)
}

fn shout(ev: &RecordEvent<'_>) -> Decision {
    let mut rec = match ev.record.map(|r| r.decode()) {
        Some(Ok(rec)) => rec,
        _ => return probe("undecodable".into()),
    };
    let text = ev.text("text").to_uppercase();
    rec.set("text", Value::Text(text));
    Decision::replace_value(&rec).unwrap_or_else(|e| probe(e.to_string()))
}

fn outcome(r: Result<String, HostError>) -> Decision {
    probe(r.unwrap_or_else(|e| format!("error: {}", e)))
}

impl Plugin for Kitchen {
    fn before_create(&mut self, ev: &RecordEvent<'_>) -> Decision {
        let text = ev.text("text");
        let mut words = text.split(' ');
        match words.next().unwrap_or("") {
            "kv" => outcome(kv()),
            "records" => outcome(records(ev.repo)),
            "blob" => outcome(blob(ev.repo, words.next().unwrap_or(""))),
            "export" => outcome(export(ev.repo)),
            "fetch" => outcome(fetch()),
            "file" => probe(file()),
            "cursor" => outcome(host::firehose_cursor_get().map(|c| format!("cursor {}", c > 0))),
            "shout" => shout(ev),
            "log" => {
                host::log(Level::Debug, "hello from Rust");
                Decision::Allow
            }
            _ => Decision::Allow,
        }
    }

    fn after_create(&mut self, ev: &RecordEvent<'_>) {
        let _ = host::kv_put(&format!("after/{}", ev.rkey), ev.text("text").as_bytes());
    }

    fn on_commit(&mut self, ev: &CommitEvent<'_>) {
        let _ = host::firehose_cursor_set(ev.seq as i64);
        if let Some(op) = ev.ops.first() {
            let _ = host::kv_put("commit", format!("{} {} {}", ev.repo, op.action, op.path).as_bytes());
        }
    }

    fn xrpc_handle(&mut self, req: &XrpcRequest<'_>) -> XrpcResponse {
        let key = req.params.strip_prefix("key=").unwrap_or("").replace("%2F", "/");
        match host::kv_get(&key) {
            Ok(v) => XrpcResponse::new(200, "text/plain", v),
            Err(e) => XrpcResponse::json(404, format!("{{\"error\":\"NotFound\",\"message\":\"{}\"}}", e)),
        }
    }
}

register_plugin!(Kitchen);
