package iam

import (
	"bytes"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Errors returned by JWTSigner.Verify. ErrTokenExpired is only returned for a
// token whose signature is valid, so callers can tell "refresh me" from "forged".
var (
	ErrTokenInvalid = errors.New("invalid token")
	ErrTokenExpired = errors.New("token is expired")
)

// Claims is the payload of an IAM access token.
type Claims struct {
	Subject   string
	UserID    int
	CompanyID int
	Email     string
	IssuedAt  int64 // Unix seconds
	ExpiresAt int64 // Unix seconds; 0 leaves exp out, which Verify refuses
	// IssuedAtNs is a private claim: the issue instant in Unix nanoseconds,
	// so the token-expiry switch can tell tokens of the same second apart.
	IssuedAtNs int64
}

// wireClaims is Claims as the token carries them: the registered claims
// sub, iat and exp, plus the platform's id, companyId and email.
type wireClaims struct {
	jwt.RegisteredClaims
	UserID     int    `json:"id"`
	CompanyID  int    `json:"companyId"`
	Email      string `json:"email"`
	IssuedAtNs int64  `json:"iatNs,omitempty"`
}

// JWTSigner issues and checks HS256 JSON Web Tokens (github.com/golang-jwt/jwt).
type JWTSigner struct {
	secret []byte
}

// NewJWTSigner returns a signer using secret as the HMAC key. Only HS256
// tokens with an exp claim are accepted.
func NewJWTSigner(secret []byte) *JWTSigner {
	return &JWTSigner{secret: bytes.Clone(secret)}
}

// Sign returns the compact serialisation of claims.
func (s *JWTSigner) Sign(claims Claims) (string, error) {
	wire := wireClaims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: claims.Subject, IssuedAt: numericDate(claims.IssuedAt), ExpiresAt: numericDate(claims.ExpiresAt)},
		UserID:           claims.UserID,
		CompanyID:        claims.CompanyID,
		Email:            claims.Email,
		IssuedAtNs:       claims.IssuedAtNs,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, wire).SignedString(s.secret)
}

// Verify checks the signature and then the expiry at now. It returns the
// claims together with ErrTokenExpired when only the expiry fails, because a
// refresh still needs to know whose token it was.
func (s *JWTSigner) Verify(token string, now time.Time) (Claims, error) {
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	var wire wireClaims
	_, err := parser.ParseWithClaims(token, &wire, func(*jwt.Token) (any, error) { return s.secret, nil })
	// The library checks the signature before the claims, so an expired
	// token here is a genuine one.
	expired := errors.Is(err, jwt.ErrTokenExpired)
	if err != nil && !expired || wire.Subject == "" {
		return Claims{}, ErrTokenInvalid
	}
	claims := Claims{
		Subject:    wire.Subject,
		UserID:     wire.UserID,
		CompanyID:  wire.CompanyID,
		Email:      wire.Email,
		IssuedAt:   unixOf(wire.IssuedAt),
		ExpiresAt:  unixOf(wire.ExpiresAt),
		IssuedAtNs: wire.IssuedAtNs,
	}
	if expired {
		return claims, ErrTokenExpired
	}
	return claims, nil
}

// numericDate is a Unix-seconds claim, nil (left out) for 0.
func numericDate(unix int64) *jwt.NumericDate {
	if unix == 0 {
		return nil
	}
	return jwt.NewNumericDate(time.Unix(unix, 0))
}

// unixOf reads a NumericDate claim, 0 when absent.
func unixOf(d *jwt.NumericDate) int64 {
	if d == nil {
		return 0
	}
	return d.Unix()
}
