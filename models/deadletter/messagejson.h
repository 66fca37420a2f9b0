#pragma once

#include "core/browsedmessage.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QVariantMap>

class QIODevice;

namespace veltrix {

// One browsed message as JSON: what `veltrixctl dlq show --json` prints and "export
// selection as JSONL" writes, one object per line. Operators script against it, so the
// issue's contract fields keep their names and meaning; extensions sit beside them and
// are never renamed. Every key is always present unless marked "Kafka only" /
// "RabbitMQ only"; unknown values are null, never missing.
//
// Binary bytes appear as {"base64": "..."} wherever text could also appear. Text means
// valid UTF-8 with no NUL and hardly any other control character (isTextPayload());
// anything else counts as binary, so a Java IntegerSerializer key comes out as base64.
//
//   "id"              string   Kafka "<partition>:<offset>"; RabbitMQ message-id, else
//                              "#<position>"; streams "@<offset>"
//   "key"             string | {"base64"} | null   the Kafka key; null: a null key, and
//                              always for RabbitMQ (see properties.routing_key)
//   "timestamp"       string | null   ISO 8601 UTC with milliseconds
//                              ("2024-05-01T12:00:00.000Z")
//   "size"            number   the whole payload's size in bytes
//   "headers"         object   Kafka: name -> string | {"base64"} | null, the last
//                              occurrence of a repeated name wins; RabbitMQ: the headers
//                              table typed: numbers, booleans, strings, timestamps as ISO
//                              strings, arrays, tables as objects, binary as {"base64"}
//   "payload_text"    string   when the payload is text (JSON payloads stay the text they
//                              were, not re-encoded)
//   "payload_base64"  string   otherwise; exactly one of the two is present
//   "dead_letter"     object   always present:
//       "original_destination"  string | null   topic, or the queue it first died in
//       "reason"                string | null   rejected / expired / maxlen /
//                                               delivery_limit; Connect's stage; Spring:
//                                               "retries exhausted" (@RetryableTopic) /
//                                               "listener failed" (blocking recoverer)
//       "exception_class"       string | null
//       "exception_message"     string | null
//       "attempts"              number | null   failed deliveries
//       "first_failed_at"       string | null   ISO 8601 UTC
//       "last_failed_at"        string | null   ISO 8601 UTC
//     extensions:
//       "convention"            "none" | "x-death" | "spring-dlt" | ... (the parser's name)
//       "original_partition", "original_offset"   number | null   Kafka
//       "original_timestamp"    string | null   the failed record's own timestamp
//       "original_consumer_group" string | null
//       "original_exchange"     string | null   RabbitMQ: where it was first published
//       "original_routing_keys" [string]
//       "exception_stacktrace"  string | null
//       "connector_name"        string | null   Kafka Connect
//       "connect_task_id"       number | null
//       "x_death"               [{"count", "reason", "queue", "exchange",
//                                 "routing_keys", "time"}]   most recent first
//       "warnings"              [string]   metadata that was present but malformed
// Extensions:
//   "payload_truncated" bool   true when the payload was cut at the browse's cap:
//                              payload_text / payload_base64 then hold the first bytes
//                              only (a UTF-8 character cut at the end is left out)
//   "partition", "offset"      number   Kafka only
//   "header_list"              [{"name", "value": string | null} or
//                               {"name", "value_base64"}]   Kafka only: every header in
//                              record order, repeated names included
//   "position"                 number | null   RabbitMQ only: 0-based place in the queue
//                              when read
//   "offset"                   number   RabbitMQ streams only
//   "properties"               object   RabbitMQ only: content_type, message_id,
//                              routing_key, exchange, redelivered, delivery_count, ...
//                              typed like headers
QJsonObject messageToJson(const BrowsedMessage &message);

// A typed AMQP table (headers, properties) as JSON, as described above.
QJsonObject amqpTableToJson(const QVariantMap &table);
// The way back, for headers an operator edited as JSON: a key whose JSON is what
// amqpTableToJson() made of `original`'s value keeps that value and its AMQP type
// (timestamps, x-death's tables, 8-bit ints); anything else is read as JSON says: whole
// numbers as long-long, {"base64": "..."} as bytes, objects as tables, null as void.
QVariantMap amqpTableFromJson(const QJsonObject &json, const QVariantMap &original = {});
// Bytes as the contract carries them: a string when text, else {"base64": "..."}.
QJsonValue bytesToJson(const QByteArray &bytes);

// One compact JSON object per message, each line "\n"-terminated (JSON Lines).
QByteArray messagesToJsonLines(const BrowsedMessageList &messages);
// Writes the same to `device` (open for writing) a line at a time. On failure returns false
// and says why in *error (when given); lines before the failure stay written.
bool writeJsonLines(QIODevice &device, const BrowsedMessageList &messages, QString *error);

} // namespace veltrix
