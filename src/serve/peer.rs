//! Who is on the other end of a connection: its address and, under mutual TLS, the subject of
//! the certificate it presented. Put into every request's extensions by the accept loop, for
//! the audit trail and for keys bound to a certificate.

use std::net::SocketAddr;
use std::sync::Arc;

use x509_cert::Certificate;
use x509_cert::der::Decode;

#[derive(Debug, Clone)]
pub struct Peer {
    pub address: SocketAddr,
    /// RFC 4514 form, e.g. `CN=mes-dashboard,O=Plant 3`.
    pub certificate_subject: Option<Arc<str>>,
}

/// The subject of a DER certificate in RFC 4514 form; `None` if it does not parse (rustls has
/// already verified it, so that would be a name form this reader does not know).
pub fn certificate_subject(der: &[u8]) -> Option<String> {
    let certificate = Certificate::from_der(der).ok()?;
    Some(certificate.tbs_certificate.subject.to_string())
}

/// A distinguished name as a sorted list of `TYPE=value` parts, so that `CN=a,O=b`,
/// `O=b, CN=a` and OpenSSL's `O = b, CN = a` compare equal. Escaped commas (`\,`) stay inside
/// their value.
pub fn subject_parts(name: &str) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    let mut push = |part: &str| {
        if let Some((kind, value)) = part.split_once('=') {
            parts.push((kind.trim().to_ascii_uppercase(), value.trim().to_string()));
        } else if !part.trim().is_empty() {
            parts.push((part.trim().to_ascii_uppercase(), String::new()));
        }
    };
    for c in name.chars() {
        match c {
            _ if escaped => {
                current.push(c);
                escaped = false;
            }
            '\\' => escaped = true,
            ',' | '+' => {
                push(&current);
                current.clear();
            }
            _ => current.push(c),
        }
    }
    push(&current);
    parts.sort();
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_compare_by_their_parts_whatever_the_order_or_spacing() {
        assert_eq!(
            subject_parts("CN=mes-dashboard,O=Plant 3"),
            subject_parts("O = Plant 3, cn = mes-dashboard")
        );
        assert_ne!(
            subject_parts("CN=mes-dashboard,O=Plant 3"),
            subject_parts("CN=mes-dashboard,O=Plant 4")
        );
        assert_ne!(
            subject_parts("CN=mes-dashboard"),
            subject_parts("CN=mes-dashboard,O=Plant 3")
        );
        assert_eq!(
            subject_parts(r"CN=Line 4\, east,O=Plant"),
            vec![
                ("CN".to_string(), "Line 4, east".to_string()),
                ("O".to_string(), "Plant".to_string())
            ]
        );
    }

    #[test]
    fn a_certificates_subject_reads_in_rfc_4514_form() {
        let mut params = rcgen::CertificateParams::new(vec!["client".into()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "mes-dashboard");
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "Plant 3");
        let key = rcgen::KeyPair::generate().unwrap();
        let certificate = params.self_signed(&key).unwrap();
        let subject = certificate_subject(certificate.der()).unwrap();
        assert_eq!(
            subject_parts(&subject),
            subject_parts("CN=mes-dashboard,O=Plant 3"),
            "{subject}"
        );
        assert_eq!(certificate_subject(b"not a certificate"), None);
    }
}
