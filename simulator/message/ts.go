package message

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTS parses an HL7 V3 time stamp (TS):
// YYYYMMDD[HH[MM[SS[.S+]]]][+|-ZZZZ]. A time stamp without a zone is UTC.
func ParseTS(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("missing time stamp")
	}
	main, zone := s, ""
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		main, zone = s[:i], s[i:]
	}
	if i := strings.IndexByte(main, '.'); i >= 0 {
		frac := main[i+1:]
		if _, err := strconv.Atoi(frac); err != nil || len(main[:i]) != 14 {
			return time.Time{}, fmt.Errorf("time stamp %q has a bad fraction", s)
		}
		main = main[:i]
	}
	layouts := map[int]string{8: "20060102", 10: "2006010215", 12: "200601021504", 14: "20060102150405"}
	layout, ok := layouts[len(main)]
	if !ok {
		return time.Time{}, fmt.Errorf("time stamp %q is not YYYYMMDD[HHMM[SS]][+ZZZZ]", s)
	}
	loc := time.UTC
	if zone != "" {
		if len(zone) != 5 {
			return time.Time{}, fmt.Errorf("time stamp %q has a bad zone", s)
		}
		h, err1 := strconv.Atoi(zone[1:3])
		m, err2 := strconv.Atoi(zone[3:5])
		if err1 != nil || err2 != nil || h > 14 || m > 59 {
			return time.Time{}, fmt.Errorf("time stamp %q has a bad zone", s)
		}
		off := h*3600 + m*60
		if zone[0] == '-' {
			off = -off
		}
		loc = time.FixedZone(zone, off)
	}
	t, err := time.ParseInLocation(layout, main, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("time stamp %q is not a valid date and time", s)
	}
	return t, nil
}
