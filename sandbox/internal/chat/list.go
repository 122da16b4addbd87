package chat

import (
	"cmp"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/iam"
)

// List defaults of twin-api.md §4: limit 10, at most 1000.
const (
	defaultListLimit = 10
	maxListLimit     = 1000
	// maxPage keeps (page-1)*limit far from overflowing.
	maxPage = 1 << 30
)

// listQuery holds the common list parameters: limit, offset, page (1-based,
// overrides offset), sort, withoutCount and withoutItems.
type listQuery struct {
	limit, offset int
	sort          []sortKey
	withoutCount  bool
	withoutItems  bool
	values        url.Values // every parameter, for the endpoint's filters
}

// sortKey is one field of the sort parameter; "-" means descending.
type sortKey struct {
	field string
	desc  bool
}

// parseListQuery reads the common parameters. sortable names the fields the
// endpoint can sort by; defaultSort applies when sort is absent. A bad value
// is a 400 with the offending parameters in details.
func parseListQuery(q url.Values, sortable []string, defaultSort string) (listQuery, error) {
	lq := listQuery{limit: defaultListLimit, values: q}
	problems := map[string]string{}
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			problems["limit"] = "must be a positive integer"
		}
		lq.limit = min(n, maxListLimit)
	}
	if raw := q.Get("offset"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			problems["offset"] = "must be a non-negative integer"
		}
		lq.offset = n
	}
	if raw := q.Get("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxPage {
			problems["page"] = "must be 1.." + strconv.Itoa(maxPage)
		}
		lq.offset = (n - 1) * lq.limit
	}
	var err error
	if lq.withoutCount, err = queryBool(q, "withoutCount"); err != nil {
		problems["withoutCount"] = err.Error()
	}
	if lq.withoutItems, err = queryBool(q, "withoutItems"); err != nil {
		problems["withoutItems"] = err.Error()
	}
	rawSort := q.Get("sort")
	if rawSort == "" {
		rawSort = defaultSort
	}
	for _, part := range strings.Split(rawSort, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key := sortKey{field: part}
		switch part[0] {
		case '-':
			key = sortKey{field: part[1:], desc: true}
		case '+', ' ': // "+" arrives as a space when the client did not encode it
			key.field = strings.TrimSpace(part[1:])
		}
		if !slices.Contains(sortable, key.field) {
			problems["sort"] = "unknown field " + strconv.Quote(key.field) + "; sortable: " + strings.Join(sortable, ", ")
			continue
		}
		lq.sort = append(lq.sort, key)
	}
	if len(problems) > 0 {
		return listQuery{}, httpapi.ValidationError(http.StatusBadRequest, problems)
	}
	return lq, nil
}

// queryBool reads an optional boolean: true/false or 1/0.
func queryBool(q url.Values, name string) (bool, error) {
	switch strings.ToLower(q.Get(name)) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, errString("must be true, false, 1 or 0")
}

// optionalBool reads a boolean filter; ok is false when it is absent.
func optionalBool(q url.Values, name string, problems map[string]string) (value, ok bool) {
	if q.Get(name) == "" {
		return false, false
	}
	v, err := queryBool(q, name)
	if err != nil {
		problems[name] = err.Error()
		return false, false
	}
	return v, true
}

// timeRange reads the from/to filters.
func timeRange(q url.Values, problems map[string]string) (from, to time.Time) {
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		raw := q.Get(name)
		if raw == "" {
			continue
		}
		t, err := parseISOTime(raw)
		if err != nil {
			problems[name] = "must be an ISO 8601 date-time such as 2026-11-24T10:00:00+00:00"
			continue
		}
		*dst = t
	}
	return from, to
}

// inRange reports whether t lies within [from, to]; zero bounds are open.
func inRange(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || !t.After(to))
}

// isoLayouts are the date-time forms accepted in queries.
var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// parseISOTime parses an ISO 8601 date-time. A "+" of the offset that was
// not percent-encoded arrives decoded as a space; it is put back.
func parseISOTime(raw string) (time.Time, error) {
	s := strings.TrimSpace(raw)
	if i := strings.LastIndexByte(s, ' '); i > 10 && strings.Contains(s[:i], "T") {
		s = s[:i] + "+" + s[i+1:]
	}
	var err error
	for _, layout := range isoLayouts {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// sortItems orders items by keys using the comparators in fields; tie is
// the final key (creation order), so every order is total and stable.
func sortItems[T any](items []T, keys []sortKey, fields map[string]func(a, b T) int, tie func(a, b T) int) {
	slices.SortStableFunc(items, func(a, b T) int {
		for _, k := range keys {
			c := fields[k.field](a, b)
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return tie(a, b)
	})
}

// compareTime orders times; the zero time (null) comes first.
func compareTime(a, b time.Time) int { return a.Compare(b) }

// compareFold orders strings case-insensitively.
func compareFold(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) }

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// listPage renders one page as {count, items}, leaving out count or items
// when withoutCount or withoutItems ask for it.
func listPage[T, E any](lq listQuery, all []T, render func(T) E) map[string]any {
	out := map[string]any{}
	if !lq.withoutCount {
		out["count"] = len(all)
	}
	if !lq.withoutItems {
		start := min(lq.offset, len(all))
		end := min(start+lq.limit, len(all))
		items := make([]E, 0, end-start)
		for _, item := range all[start:end] {
			items = append(items, render(item))
		}
		out["items"] = items
	}
	return out
}

// errString is a constant error message.
type errString string

func (e errString) Error() string { return string(e) }

// sessionSortFields are the sortable session fields (DEV).
var sessionSortFields = map[string]func(a, b *session) int{
	"startedAt": func(a, b *session) int { return compareTime(a.startedAt, b.startedAt) },
	"lastMessageCreatedAt": func(a, b *session) int {
		return compareTime(lastMessageAt(a), lastMessageAt(b))
	},
	"name":               func(a, b *session) int { return compareFold(a.name, b.name) },
	"status":             func(a, b *session) int { return strings.Compare(a.status, b.status) },
	"markedAsSpam":       func(a, b *session) int { return compareBool(a.markedAsSpam, b.markedAsSpam) },
	"operatorAssignedAt": func(a, b *session) int { return compareTime(a.operatorAssignedAt, b.operatorAssignedAt) },
}

func lastMessageAt(s *session) time.Time {
	if m := s.lastMessage(); m != nil {
		return m.createdAt
	}
	return time.Time{}
}

// List lists the sessions of the user's company, closed ones too.
// Filters: status, operatorId (any operator of the session), chatId,
// clientId, clientBanned, markedAsSpam, sessionId, botStatus, name and
// keyword (case-insensitive substrings; keyword searches name, clientId
// and sessionId), tags, and from/to on startedAt.
func (c *Sessions) List(user iam.User, q url.Values) (map[string]any, error) {
	lq, err := parseListQuery(q, slices.Sorted(maps.Keys(sessionSortFields)), "-startedAt")
	if err != nil {
		return nil, err
	}
	problems := map[string]string{}
	from, to := timeRange(q, problems)
	banned, filterBanned := optionalBool(q, "clientBanned", problems)
	spam, filterSpam := optionalBool(q, "markedAsSpam", problems)
	operatorID := 0
	if raw := q.Get("operatorId"); raw != "" {
		if operatorID, err = strconv.Atoi(raw); err != nil {
			problems["operatorId"] = "must be an operator id"
		}
	}
	if len(problems) > 0 {
		return nil, httpapi.ValidationError(http.StatusBadRequest, problems)
	}
	keyword := strings.ToLower(q.Get("keyword"))
	name := strings.ToLower(q.Get("name"))
	var tags []string
	for _, t := range strings.Split(q.Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	var all []*session
	for _, s := range c.sessions {
		switch {
		case s.companyID != user.CompanyID,
			!matches(q, "status", s.status),
			!matches(q, "chatId", s.chatID),
			!matches(q, "clientId", s.clientID),
			!matches(q, "sessionId", s.id),
			!matches(q, "botStatus", s.botStatus),
			operatorID != 0 && !s.hasMember(operatorID),
			filterBanned && c.clients[s.clientID].banned != banned,
			filterSpam && s.markedAsSpam != spam,
			name != "" && !strings.Contains(strings.ToLower(s.name), name),
			keyword != "" && !strings.Contains(strings.ToLower(s.name), keyword) &&
				!strings.Contains(strings.ToLower(s.clientID), keyword) && !strings.Contains(strings.ToLower(s.id), keyword),
			len(tags) > 0 && !slices.ContainsFunc(tags, func(t string) bool { return slices.Contains(strings.Split(s.tags, ","), t) }),
			!inRange(s.startedAt, from, to):
			continue
		}
		all = append(all, s)
	}
	sortItems(all, lq.sort, sessionSortFields, func(a, b *session) int { return cmp.Compare(a.seq, b.seq) })
	return listPage(lq, all, c.entityLocked), nil
}

// matches is an exact-match filter; an absent parameter matches anything.
// Several values may be given comma-separated.
func matches(q url.Values, name, value string) bool {
	want := q.Get(name)
	return want == "" || slices.Contains(strings.Split(want, ","), value)
}

// operatorSortFields are the sortable fields of GET /users.
var operatorSortFields = map[string]func(a, b OperatorListItem) int{
	"id":        func(a, b OperatorListItem) int { return cmp.Compare(a.ID, b.ID) },
	"firstName": func(a, b OperatorListItem) int { return compareFold(a.FirstName, b.FirstName) },
	"lastName":  func(a, b OperatorListItem) int { return compareFold(a.LastName, b.LastName) },
	"status":    func(a, b OperatorListItem) int { return strings.Compare(a.Status, b.Status) },
	"online":    func(a, b OperatorListItem) int { return compareBool(a.Online, b.Online) },
}

// List lists the operators of the user's company with their status
// and whether they hold a live connection. Filters: userId (comma list),
// status, online.
func (c *Operators) List(user iam.User, q url.Values) (map[string]any, error) {
	lq, err := parseListQuery(q, []string{"firstName", "id", "lastName", "online", "status"}, "id")
	if err != nil {
		return nil, err
	}
	problems := map[string]string{}
	online, filterOnline := optionalBool(q, "online", problems)
	if len(problems) > 0 {
		return nil, httpapi.ValidationError(http.StatusBadRequest, problems)
	}
	var all []OperatorListItem
	for _, op := range c.store.Operators() {
		if op.CompanyID != user.CompanyID {
			continue
		}
		item := OperatorListItem{
			ID: op.ID, CompanyID: op.CompanyID, FirstName: op.FirstName, LastName: op.LastName, Email: op.Email,
			Status: c.Status(op.ID),
			Online: c.presence != nil && c.presence.Online(operatorIDString(op.ID)),
		}
		if op.Blocked {
			c.mu.Lock()
			item.BlockedAt = formatTime(cmp.Or(c.blocked[op.ID], c.seededAt))
			c.mu.Unlock()
		}
		if !matches(q, "userId", strconv.Itoa(op.ID)) || !matches(q, "status", item.Status) || filterOnline && item.Online != online {
			continue
		}
		all = append(all, item)
	}
	sortItems(all, lq.sort, operatorSortFields, func(a, b OperatorListItem) int { return cmp.Compare(a.ID, b.ID) })
	return listPage(lq, all, func(o OperatorListItem) OperatorListItem { return o }), nil
}

// Groups lists the operator groups.
func (c *Operators) Groups(q url.Values) (map[string]any, error) {
	lq, err := parseListQuery(q, []string{"id", "name"}, "id")
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	groups := slices.Clone(c.groups)
	c.mu.Unlock()
	sortItems(groups, lq.sort, map[string]func(a, b Group) int{
		"id":   func(a, b Group) int { return cmp.Compare(a.ID, b.ID) },
		"name": func(a, b Group) int { return compareFold(a.Name, b.Name) },
	}, func(a, b Group) int { return cmp.Compare(a.ID, b.ID) })
	return listPage(lq, groups, func(g Group) Group {
		g.OperatorIDs = slices.Clone(g.OperatorIDs)
		return g
	}), nil
}
