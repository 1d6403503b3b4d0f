package panlogs // import "github.com/otelcol-pan/otelcol-pan/exporter/panlogs"

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-pan/otelcol-pan/exporter/panlogs/internal/encode"
	"github.com/otelcol-pan/otelcol-pan/internal/prefix"
)

// Formats, prefix modes, transports and syslog settings this exporter knows.
const (
	FormatJSON   = encode.JSON
	FormatPANCSV = encode.PANCSV
	FormatCEF    = encode.CEF
	FormatLEEF   = encode.LEEF
	FormatOCSF   = encode.OCSF

	PrefixModeLine  = encode.PrefixLine
	PrefixModeField = encode.PrefixField
	PrefixModeNone  = encode.PrefixNone

	TransportStdout = "stdout"
	TransportFile   = "file"
	TransportSyslog = "syslog"
	TransportHTTP   = "http"

	ProtocolRFC5424 = "rfc5424"
	ProtocolRFC3164 = "rfc3164"

	FramingOctetCounting = "octet_counting"
	FramingLF            = "lf"
)

// DefaultPrefix is used when a record carries no pan.prefix.
const DefaultPrefix = prefix.Default

// Syslog message sizes: the defaults per network, and the most a UDP
// datagram can carry after its IP and UDP headers.
const (
	defaultTCPMessageSize = 64 << 10
	defaultUDPMessageSize = 8 << 10
	maxUDPMessageSize     = 65000
)

// maxHTTPBatchBytes is the Cortex HTTP log collector's limit per request.
const maxHTTPBatchBytes = 5 << 20

// sensitiveHeaders are never written unless allow_sensitive_headers is set:
// they carry credentials.
var sensitiveHeaders = map[string]bool{
	"authorization": true, "proxy-authorization": true, "cookie": true, "set-cookie": true,
	"x-api-key": true, "x-auth-token": true,
}

// Config is the panlogs exporter's configuration.
type Config struct {
	// Format is the record encoding: json, pan_csv, cef, leef or ocsf (the
	// encodings live in internal/encode, one file each).
	Format string `mapstructure:"format"`
	// PrefixMode says where the prefix goes: line ("<prefix> <record>"),
	// field (inside the record) or none. With syslog the prefix is also the
	// APP-NAME (RFC 5424) or TAG (RFC 3164).
	PrefixMode string `mapstructure:"prefix_mode"`
	// Prefix is used for records without a pan.prefix attribute.
	Prefix string `mapstructure:"prefix"`
	// RedactQueryParams lists query parameters whose values are written as
	// REDACTED.
	RedactQueryParams []string `mapstructure:"redact_query_params"`
	// IncludeHeaders lists logged request/response headers
	// (http.request.header.<name>, http.response.header.<name>) to write in
	// the json format's http.headers object.
	IncludeHeaders []string `mapstructure:"include_headers"`
	// AllowSensitiveHeaders permits authorization, cookie and the like in
	// include_headers.
	AllowSensitiveHeaders bool `mapstructure:"allow_sensitive_headers"`

	// Transport is where records go: stdout, file, syslog or http.
	Transport string       `mapstructure:"transport"`
	File      FileConfig   `mapstructure:"file"`
	Syslog    SyslogConfig `mapstructure:"syslog"`
	HTTP      HTTPConfig   `mapstructure:"http"`

	TimeoutConfig exporterhelper.TimeoutConfig                             `mapstructure:",squash"`
	QueueConfig   configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	BackOffConfig configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// FileConfig configures transport: file.
type FileConfig struct {
	// Path of the file records are appended to; created with its directory.
	Path string `mapstructure:"path"`
	// Rotation, when set, rotates the file by size and prunes old ones.
	Rotation configoptional.Optional[RotationConfig] `mapstructure:"rotation"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// RotationConfig sets when the file rotates and what is kept.
type RotationConfig struct {
	MaxMegabytes int  `mapstructure:"max_megabytes"`
	MaxDays      int  `mapstructure:"max_days"`
	MaxBackups   int  `mapstructure:"max_backups"`
	Compress     bool `mapstructure:"compress"`
	LocalTime    bool `mapstructure:"localtime"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// SyslogConfig configures transport: syslog.
type SyslogConfig struct {
	// Endpoint is host:port of the syslog server.
	Endpoint string `mapstructure:"endpoint"`
	// Network is tcp or udp. TCP (optionally TLS) is at-least-once through the
	// queue; UDP is best effort.
	Network string `mapstructure:"network"`
	// TLS, when set, secures a tcp connection (RFC 5425).
	TLS configoptional.Optional[configtls.ClientConfig] `mapstructure:"tls"`
	// Protocol is rfc5424 or rfc3164.
	Protocol string `mapstructure:"protocol"`
	// Framing on tcp: octet_counting (RFC 6587 §3.4.1) or lf.
	Framing string `mapstructure:"framing"`
	// Facility is the syslog facility number (0–23); 16 is local0.
	Facility int `mapstructure:"facility"`
	// Hostname is the HOSTNAME field; empty takes the machine's.
	Hostname string `mapstructure:"hostname"`
	// MaxMessageSize bounds one syslog message in bytes; a longer record is
	// cut at a UTF-8 boundary and counted as truncated. Zero (the default)
	// follows the network: 65536 on tcp, 8192 on udp (rsyslog's default
	// limit; a datagram cannot be much larger, and RFC 5426 only promises
	// 2048).
	MaxMessageSize int `mapstructure:"max_message_size"`
	// DialTimeout and WriteTimeout bound connecting and each write.
	DialTimeout  time.Duration `mapstructure:"dial_timeout"`
	WriteTimeout time.Duration `mapstructure:"write_timeout"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// HTTPConfig configures transport: http (Cortex XSIAM/XDR HTTP log collector).
type HTTPConfig struct {
	confighttp.ClientConfig `mapstructure:",squash"`
	// MaxBatchBytes bounds one request's uncompressed body.
	MaxBatchBytes int `mapstructure:"max_batch_bytes"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// contentType is what the HTTP transport declares: Cortex's HTTP collector
// takes application/json for bodies of JSON objects, one per line, and
// text/plain for CEF, LEEF and raw lines. A json or ocsf line with the
// prefix in front (prefix_mode line) is no longer a JSON object, so it is
// text.
func (cfg *Config) contentType() string {
	if (cfg.Format == FormatJSON || cfg.Format == FormatOCSF) && cfg.PrefixMode != PrefixModeLine {
		return "application/json"
	}
	return "text/plain"
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks the configuration and names the offending YAML key.
func (cfg *Config) Validate() error {
	var errs error
	add := func(format string, args ...any) { errs = errors.Join(errs, fmt.Errorf(format, args...)) }
	if !slices.Contains(encode.Formats, cfg.Format) {
		add("format: %q is not one of %s", cfg.Format, strings.Join(encode.Formats, ", "))
	}
	switch cfg.PrefixMode {
	case PrefixModeLine, PrefixModeField, PrefixModeNone:
	default:
		add("prefix_mode: %q is not one of line, field, none", cfg.PrefixMode)
	}
	if cfg.PrefixMode == PrefixModeField && cfg.Format == FormatPANCSV {
		add("prefix_mode: field has no column in pan_csv; use line or none")
	}
	if cfg.Prefix == "" && cfg.PrefixMode != PrefixModeNone {
		add("prefix: must not be empty")
	}
	if s := prefix.Sanitize(cfg.Prefix); s != cfg.Prefix {
		add("prefix: %q may only hold up to %d of A-Z a-z 0-9 . _ -", cfg.Prefix, prefix.MaxLen)
	}
	for i, p := range cfg.RedactQueryParams {
		if p == "" || strings.ContainsAny(p, "&=") {
			add("redact_query_params[%d]: %q is not a query parameter name", i, p)
		}
	}
	for i, h := range cfg.IncludeHeaders {
		if h == "" || strings.ContainsAny(h, " :\r\n") {
			add("include_headers[%d]: %q is not a header name", i, h)
		}
		if sensitiveHeaders[strings.ToLower(h)] && !cfg.AllowSensitiveHeaders {
			add("include_headers[%d]: %q carries credentials; set allow_sensitive_headers: true to write it", i, h)
		}
	}
	switch cfg.Transport {
	case TransportStdout:
	case TransportFile:
		errs = errors.Join(errs, cfg.File.validate())
	case TransportSyslog:
		errs = errors.Join(errs, cfg.Syslog.validate())
	case TransportHTTP:
		errs = errors.Join(errs, cfg.HTTP.validate())
	default:
		add("transport: %q is not one of stdout, file, syslog, http", cfg.Transport)
	}
	return errs
}

func (f *FileConfig) validate() error {
	var errs error
	if f.Path == "" {
		errs = errors.Join(errs, errors.New("file::path: must be set for transport file"))
	}
	if r := f.Rotation.Get(); r != nil {
		if r.MaxMegabytes < 0 || r.MaxDays < 0 || r.MaxBackups < 0 {
			errs = errors.Join(errs, errors.New("file::rotation: max_megabytes, max_days and max_backups must not be negative"))
		}
	}
	return errs
}

func (s *SyslogConfig) validate() error {
	var errs error
	add := func(format string, args ...any) { errs = errors.Join(errs, fmt.Errorf(format, args...)) }
	if s.Endpoint == "" {
		add("syslog::endpoint: must be set for transport syslog")
	}
	switch s.Network {
	case "tcp", "udp":
	default:
		add("syslog::network: %q is not one of tcp, udp", s.Network)
	}
	if s.Network == "udp" && s.usesTLS() {
		add("syslog::tls: needs network tcp")
	}
	switch s.Protocol {
	case ProtocolRFC5424, ProtocolRFC3164:
	default:
		add("syslog::protocol: %q is not one of rfc5424, rfc3164", s.Protocol)
	}
	switch s.Framing {
	case FramingOctetCounting, FramingLF:
	default:
		add("syslog::framing: %q is not one of octet_counting, lf", s.Framing)
	}
	if s.Facility < 0 || s.Facility > 23 {
		add("syslog::facility: %d is not in 0..23", s.Facility)
	}
	if s.MaxMessageSize != 0 && s.MaxMessageSize < 480 {
		add("syslog::max_message_size: %d is below 480, the least every receiver must accept", s.MaxMessageSize)
	}
	if s.Network == "udp" && s.MaxMessageSize > maxUDPMessageSize {
		add("syslog::max_message_size: %d does not fit a UDP datagram (at most %d)", s.MaxMessageSize, maxUDPMessageSize)
	}
	if s.DialTimeout <= 0 || s.WriteTimeout <= 0 {
		add("syslog::dial_timeout and write_timeout: must be positive")
	}
	for i := 0; i < len(s.Hostname); i++ {
		if s.Hostname[i] <= ' ' || s.Hostname[i] >= 0x7f {
			add("syslog::hostname: %q may only hold printable ASCII without spaces", s.Hostname)
			break
		}
	}
	return errs
}

// usesTLS: a tls block with insecure: true (and no CA) is the collector's
// way of saying "no TLS"; configtls then gives no *tls.Config.
func (s *SyslogConfig) usesTLS() bool {
	tc := s.TLS.Get()
	return tc != nil && (!tc.Insecure || tc.CAFile != "" || tc.CAPem != "")
}

// maxMessageSize is max_message_size, or the network's default.
func (s *SyslogConfig) maxMessageSize() int {
	switch {
	case s.MaxMessageSize > 0:
		return s.MaxMessageSize
	case s.Network == "udp":
		return defaultUDPMessageSize
	default:
		return defaultTCPMessageSize
	}
}

func (h *HTTPConfig) validate() error {
	var errs error
	if h.Endpoint == "" {
		errs = errors.Join(errs, errors.New("http::endpoint: must be set for transport http"))
	} else if !strings.HasPrefix(h.Endpoint, "http://") && !strings.HasPrefix(h.Endpoint, "https://") {
		errs = errors.Join(errs, fmt.Errorf("http::endpoint: %q must start with https:// (or http://)", h.Endpoint))
	}
	if h.MaxBatchBytes <= 0 || h.MaxBatchBytes > maxHTTPBatchBytes {
		errs = errors.Join(errs, fmt.Errorf("http::max_batch_bytes: %d is not in 1..%d (the collector's limit)", h.MaxBatchBytes, maxHTTPBatchBytes))
	}
	return errs
}

// Unmarshal is needed because confighttp.ClientConfig has its own Unmarshal,
// which, promoted through the embedding, would skip max_batch_bytes.
func (h *HTTPConfig) Unmarshal(conf *confmap.Conf) error {
	raw := conf.ToStringMap()
	if v, ok := raw["max_batch_bytes"]; ok {
		delete(raw, "max_batch_bytes")
		var own struct {
			MaxBatchBytes int `mapstructure:"max_batch_bytes"`
		}
		if err := confmap.NewFromStringMap(map[string]any{"max_batch_bytes": v}).Unmarshal(&own); err != nil {
			return err
		}
		h.MaxBatchBytes = own.MaxBatchBytes
	}
	return h.ClientConfig.Unmarshal(confmap.NewFromStringMap(raw))
}
