//! The command line of the contract.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Offer,
    Answer,
}

#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) role: Role,
    pub(crate) port: u16,
    pub(crate) url: String,
    pub(crate) messages: usize,
    pub(crate) size: usize,
    pub(crate) big_size: usize,
    pub(crate) media: String,
    pub(crate) media_ms: u64,
    pub(crate) timeout: Duration,
    pub(crate) save_sdp: Option<PathBuf>,
    /// Answerer: save the received RTP and RTCP (after SRTP) here.
    pub(crate) dump_media: Option<PathBuf>,
}

pub(crate) fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut role = None;
    let mut o = Options {
        role: Role::Offer,
        port: 0,
        url: String::new(),
        messages: 100,
        size: 1024,
        big_size: 20000,
        media: "none".into(),
        media_ms: 1000,
        timeout: Duration::ZERO,
        save_sdp: None,
        dump_media: None,
    };
    let mut timeout = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if !flag.starts_with("--") {
            return Err(format!("unexpected argument {flag}"));
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| -> Result<u64, String> {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--role" => {
                role = Some(match value.as_str() {
                    "offer" => Role::Offer,
                    "answer" => Role::Answer,
                    other => return Err(format!("--role offer|answer, not {other}")),
                })
            }
            "--port" => {
                o.port = u16::try_from(number(value)?).map_err(|_| "--port: out of range")?
            }
            "--url" => o.url = value.clone(),
            "--messages" => o.messages = number(value)? as usize,
            "--size" => o.size = number(value)? as usize,
            "--big-size" => o.big_size = number(value)? as usize,
            "--media" => match value.as_str() {
                "audio" | "none" => o.media = value.clone(),
                other => return Err(format!("--media audio|none, not {other}")),
            },
            "--media-ms" => o.media_ms = number(value)?,
            "--timeout" => {
                let s: f64 = value
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                    .ok_or_else(|| format!("--timeout: not a number of seconds: {value}"))?;
                timeout = Some(s)
            }
            "--save-sdp" => o.save_sdp = Some(PathBuf::from(value)),
            "--dump-media" => o.dump_media = Some(PathBuf::from(value)),
            other => return Err(format!("unknown option {other}")),
        }
    }
    o.role = role.ok_or("--role offer|answer is required")?;
    o.timeout = match timeout {
        Some(s) if s > 0.0 => Duration::from_secs_f64(s),
        _ if o.role == Role::Offer => Duration::from_secs(30),
        _ => Duration::from_secs(120),
    };
    match o.role {
        Role::Offer if !o.url.starts_with("http://") => {
            return Err("--role offer needs --url http://HOST:PORT/offer".into())
        }
        Role::Answer if o.port == 0 => return Err("--role answer needs --port P".into()),
        _ => {}
    }
    if o.role == Role::Offer && o.messages == 0 {
        return Err("--messages must be at least 1".into());
    }
    Ok(o)
}
