// The declarative REST API source of pipeline files (`[source] type = "rest_api"`), modelled on
// dlt's rest_api source: a client (base_url, headers, auth, paginator), resource defaults, and
// resources with an endpoint each (path, params, method, json, data_selector, paginator,
// incremental, response_actions). See README "REST API sources" for the file format.
//
// This file holds the parsed, validated form; rest_api_source.h runs it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlt/config.h"
#include "dlt/secret.h"
#include "dlt/resource.h"
#include "dlt/status.h"

namespace dlt::rest_api {

using Json = nlohmann::ordered_json;

struct PaginatorSpec {
  // auto | single_page | json_link | header_link | header_cursor | offset | page_number | cursor
  std::string type = "auto";
  std::string next_url_path = "next";    // json_link
  std::string links_next_key = "next";   // header_link
  int64_t limit = 0;                     // offset
  int64_t offset = 0;                    // offset
  std::string offset_param = "offset";   // offset
  std::string limit_param = "limit";     // offset
  std::string total_path = "total";      // offset (items), page_number (pages)
  bool total_path_set = false;           // given explicitly: a missing total is then an error
  std::optional<int64_t> maximum_offset; // offset
  int64_t base_page = 0;                 // page_number
  std::optional<int64_t> page;           // page_number: the first page (default base_page)
  std::string page_param = "page";       // page_number
  std::optional<int64_t> maximum_page;   // page_number
  bool stop_after_empty_page = true;     // offset, page_number (cursor: false unless given)
  std::string has_more_path;             // offset, page_number, cursor: a boolean in the body
  std::string cursor_path = "cursors.next";  // cursor
  std::string cursor_param = "cursor";       // cursor, header_cursor
  std::string cursor_key = "next";           // header_cursor: the response header holding the cursor
  // dlt's *_body_path: the value goes into the request's JSON body at this dotted path (a POST
  // search API) instead of a query parameter; empty: a query parameter.
  std::string offset_body_path, limit_body_path;  // offset
  std::string page_body_path;                     // page_number
  std::string cursor_body_path;                   // cursor
};

struct AuthSpec {
  // "" (none) | bearer | api_key | http_basic | oauth2_client_credentials. As dlt's create_auth:
  // an auth table without a
  // type is bearer, and a string names the type (its secrets then come from the profile).
  std::string type;
  std::string name = "Authorization";  // api_key: the header or query parameter name
  std::string location = "header";     // api_key: header | query
  std::optional<std::string> username; // http_basic (may also come from the profile's config)
  // oauth2_client_credentials: the token URL (else from the profile's config), the form's extra
  // fields and the token's lifetime when the reply has no expires_in. client_id and
  // client_secret are secrets (inline_secrets, or the profile's secrets).
  std::optional<std::string> access_token_url;
  std::vector<std::pair<std::string, std::string>> access_token_request_data;
  int64_t default_token_expiration = 3600;
  // token / api_key / password given in code (Python's rest_api dicts read them from
  // dlt.secrets); pipeline files may not hold them. Used before the profile's secrets.
  std::map<std::string, Secret> inline_secrets;
};

// A request parameter: a literal (which may hold {resources.<parent>.<field>} and
// {incremental.start_value} placeholders), a legacy `resolve` from a parent, or the
// `incremental` start parameter.
struct ParamSpec {
  enum class Kind { kLiteral, kResolve, kIncremental };
  Kind kind = Kind::kLiteral;
  std::string value;     // literal
  // A literal whose name says it holds a secret (api_key, token, password, ...), given in code
  // (Python's dict config, from dlt.secrets): sent as any parameter, masked in every message.
  // Pipeline files may not hold such values.
  bool secret = false;
  std::string resource;  // resolve: the parent resource
  std::string field;     // resolve: field (path) in the parent's rows
};

struct IncrementalParamSpec {
  std::string start_param;  // sent with the cursor's last value (or initial_value)
  std::string end_param;    // sent with end_value, when given
  std::string cursor_path;
  std::optional<std::string> initial_value_json;
  std::optional<std::string> end_value_json;
  std::string on_cursor_value_missing = "raise";
};

struct ResponseActionSpec {
  std::optional<long> status_code;
  std::optional<std::string> content;  // a substring of the body
  std::string action = "ignore";       // ignore
};

struct EndpointSpec {
  std::string path;
  std::string method = "GET";
  std::vector<std::pair<std::string, ParamSpec>> params;
  std::optional<Json> json;  // request body
  std::optional<std::string> data_selector;
  std::optional<PaginatorSpec> paginator;  // default: the client's, else auto
  std::optional<IncrementalParamSpec> incremental;
  std::vector<ResponseActionSpec> response_actions;
  // Values may hold placeholders ({resources.<parent>.<field>}, {incremental.start_value}),
  // expanded for each request as params are.
  std::vector<std::pair<std::string, std::string>> headers;
  // Headers whose names say they carry credentials (Authorization, X-API-Key, ...), given in code:
  // sent only to the origin credentials go to (as auth), masked in every message.
  std::vector<std::string> secret_headers;
  // dlt's endpoint-level auth: used instead of the client's for this endpoint. Its secrets
  // come from the code (Python) or the profile: sources.<source>.<resource>.<key>, then as the
  // client's.
  std::optional<AuthSpec> auth;
};

struct ResourceSpec {
  ResourceOptions options;  // name, table, write disposition, keys, columns, incremental
  EndpointSpec endpoint;
  bool selected = true;
  std::vector<std::string> include_from_parent;
  std::string parent;  // the resource this one depends on ("" for none)
  // Fields of the parent this resource reads (placeholders, resolve params, include_from_parent).
  std::vector<std::string> parent_fields;
};

struct ClientSpec {
  std::string base_url;  // may be empty when the profile's config supplies it
  std::string base_url_where;  // "<file>:<line>:<column>" of base_url in the pipeline file
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> secret_headers;  // as EndpointSpec::secret_headers
  AuthSpec auth;
  std::optional<PaginatorSpec> paginator;
  int concurrency = 4;  // parallel requests of a dependent resource
};

struct RestApiSpec {
  std::string file;         // display name of the pipeline file, for messages
  std::string source_name;  // [source] name: config and secrets live under sources.<source_name>
  ClientSpec client;
  std::vector<ResourceSpec> resources;  // parents before their children
  // [source] root_key (dlt's rest_api_source(root_key=...)): every resource's root_key
  // propagation (nested tables get _dlt_root_id); unset leaves each resource's default.
  std::optional<bool> root_key;

  const ResourceSpec* Find(const std::string& name) const;
  bool IsParent(const std::string& name) const;
};

// Parses the hints shared with filesystem resources (name, table_name, write_disposition,
// primary_key, merge_key, columns, max_table_nesting, incremental). Given by the caller so that
// both kinds of resources read hints the same way.
using HintParser = std::function<StatusOr<ResourceOptions>(const ConfigNode& table, const std::string& default_name)>;

struct RestApiParseOptions {
  // Secrets (auth token, api_key, password) given in the configuration itself: allowed for
  // configurations made in code (Python), refused in pipeline files.
  bool allow_inline_secrets = false;
};

// `source` is the [source] table, `resources` the [[resources]] array (or table) of the pipeline
// file. Errors read "<file>:<line>:<column>: <what>".
StatusOr<RestApiSpec> ParseRestApiSource(std::string_view file, const ConfigNode& source, const ConfigNode* resources,
                                         const std::string& pipeline_name, const HintParser& hints,
                                         const RestApiParseOptions& options = {});

// Placeholders `{name}` in a string, where name is [A-Za-z_][A-Za-z0-9_.-]*. As in str.format,
// which dlt runs over path, params, json and headers, `{{` and `}}` are literal braces, never
// part of a placeholder (other braces are left alone: a JSON body may hold them).
std::vector<std::string> Placeholders(std::string_view s);
// Replaces each placeholder for which `value` returns a string, and `{{` / `}}` by `{` / `}`.
std::string ExpandPlaceholders(std::string_view s, const std::function<std::optional<std::string>(const std::string&)>& value);

}  // namespace dlt::rest_api
