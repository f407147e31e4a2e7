// Package mail sends the few messages Wegweiser mails to users: email
// verification, invitations, password resets and the monthly health
// reports (with the report attached). Sender has two
// implementations: SMTP (WEGWEISER_SMTP_URL) and Log, the embedded default,
// which only writes each message, link included, to the server log.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Message is one plain-text mail, with files attached if any.
type Message struct {
	To          string
	Subject     string
	Body        string
	Attachments []Attachment
}

// Attachment is a file sent with a message.
type Attachment struct {
	// Name is the file name shown to the recipient.
	Name string
	// ContentType is its MIME type, e.g. "application/pdf".
	ContentType string
	Data        []byte
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Log is the default Sender without SMTP: it writes each message to the log
// so an operator (or `make run`) can follow the links.
type Log struct{ Log *slog.Logger }

// Send implements Sender.
func (l Log) Send(ctx context.Context, m Message) error {
	attached := make([]string, len(m.Attachments))
	for i, a := range m.Attachments {
		attached[i] = fmt.Sprintf("%s (%s, %d bytes)", a.Name, a.ContentType, len(a.Data))
	}
	l.Log.InfoContext(ctx, "mail not sent (no WEGWEISER_SMTP_URL); its content follows", "to", m.To, "subject", m.Subject, "body", m.Body, "attachments", attached)
	return nil
}

// SMTP sends through an SMTP server: smtp://user:pass@host:587 (STARTTLS
// when the server offers it; credentials only over TLS) or
// smtps://user:pass@host:465 (TLS from the start).
type SMTP struct {
	addr, host string
	implicit   bool
	auth       smtp.Auth
	from       string
}

// NewSMTP parses rawURL and returns an SMTP sender mailing from from.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parse SMTP URL: %w", err)
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return nil, fmt.Errorf("SMTP URL must start with smtp:// or smtps://")
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("SMTP URL has no host")
	}
	port := u.Port()
	if port == "" {
		port = "587"
		if u.Scheme == "smtps" {
			port = "465"
		}
	}
	if _, err := parseFrom(from); err != nil {
		return nil, err
	}
	s := &SMTP{addr: net.JoinHostPort(host, port), host: host, implicit: u.Scheme == "smtps", from: from}
	if u.User != nil {
		pass, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, host)
	}
	return s, nil
}

func parseFrom(from string) (string, error) {
	from = strings.TrimSpace(from)
	if from == "" || strings.ContainsAny(from, "\r\n") || !strings.Contains(from, "@") {
		return "", fmt.Errorf("mail sender address %q is not valid", from)
	}
	return from, nil
}

// Send implements Sender.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if strings.ContainsAny(m.To+m.Subject, "\r\n") {
		return errors.New("mail header contains a line break")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	d := net.Dialer{}
	var conn net.Conn
	var err error
	if s.implicit {
		td := tls.Dialer{NetDialer: &d, Config: &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}}
		conn, err = td.DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return fmt.Errorf("connect to SMTP server %s: %w", s.addr, err)
	}
	defer func() { _ = conn.Close() }()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return fmt.Errorf("SMTP greeting: %w", err)
	}
	defer func() { _ = c.Close() }()
	if !s.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(&tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}); err != nil {
				return fmt.Errorf("SMTP STARTTLS: %w", err)
			}
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return fmt.Errorf("SMTP authentication: %w", err)
		}
	}
	if err := c.Mail(s.from); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("SMTP RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	msg, err := Compose(s.from, m, time.Now())
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("SMTP write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP end of data: %w", err)
	}
	return c.Quit()
}

// Compose writes a message in Internet message format: plain text, or
// multipart/mixed with the attachments base64-encoded.
func Compose(from string, m Message, now time.Time) ([]byte, error) {
	if strings.ContainsAny(m.To+m.Subject, "\r\n") {
		return nil, errors.New("mail header contains a line break")
	}
	var b bytes.Buffer
	b.WriteString("From: " + from + "\r\nTo: " + m.To + "\r\nSubject: " + mime.QEncoding.Encode("utf-8", m.Subject) +
		"\r\nDate: " + now.UTC().Format(time.RFC1123Z) + "\r\nMIME-Version: 1.0\r\n")
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	if len(m.Attachments) == 0 {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body)
		return b.Bytes(), nil
	}
	mw := multipart.NewWriter(&b)
	b.WriteString("Content-Type: multipart/mixed; boundary=" + mw.Boundary() + "\r\n\r\n")
	pw, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type": {"text/plain; charset=utf-8"}, "Content-Transfer-Encoding": {"8bit"},
	})
	if err != nil {
		return nil, fmt.Errorf("compose mail: %w", err)
	}
	if _, err := pw.Write([]byte(body)); err != nil {
		return nil, fmt.Errorf("compose mail: %w", err)
	}
	for _, a := range m.Attachments {
		if strings.ContainsAny(a.Name+a.ContentType, "\r\n\"") {
			return nil, errors.New("attachment name or type contains a line break or quote")
		}
		aw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {a.ContentType},
			"Content-Transfer-Encoding": {"base64"},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})},
		})
		if err != nil {
			return nil, fmt.Errorf("compose mail: %w", err)
		}
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			if _, err := aw.Write([]byte(enc[:76] + "\r\n")); err != nil {
				return nil, fmt.Errorf("compose mail: %w", err)
			}
			enc = enc[76:]
		}
		if _, err := aw.Write([]byte(enc + "\r\n")); err != nil {
			return nil, fmt.Errorf("compose mail: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("compose mail: %w", err)
	}
	return b.Bytes(), nil
}

// Recorder keeps every message instead of sending it (for tests).
type Recorder struct {
	mu   sync.Mutex
	msgs []Message
}

// Send implements Sender.
func (r *Recorder) Send(_ context.Context, m Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	return nil
}

// To returns the messages sent to address, oldest first.
func (r *Recorder) To(address string) []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Message
	for _, m := range r.msgs {
		if strings.EqualFold(m.To, address) {
			out = append(out, m)
		}
	}
	return out
}

// Count returns how many messages were sent.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}
