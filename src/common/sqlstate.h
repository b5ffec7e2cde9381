// SQLSTATE codes, as PostgreSQL's errcodes.txt names them. Clients branch on these, never on text.
#pragma once

#include <string_view>

namespace omendb {

#define OMENDB_SQLSTATES(X)                       \
  X(SuccessfulCompletion, "00000")                \
  X(FeatureNotSupported, "0A000")                 \
  X(ConnectionException, "08000")                 \
  X(ProtocolViolation, "08P01")                   \
  X(ConnectionFailure, "08006")                   \
  X(CardinalityViolation, "21000")                \
  X(StringDataRightTruncation, "22001")           \
  X(CharacterNotInRepertoire, "22021")            \
  X(NumericValueOutOfRange, "22003")              \
  X(NullValueNotAllowed, "22004")                 \
  X(InvalidDatetimeFormat, "22007")               \
  X(DatetimeFieldOverflow, "22008")               \
  X(InvalidTimeZoneDisplacementValue, "22009")    \
  X(DivisionByZero, "22012")                      \
  X(SubstringError, "22011")                      \
  X(InvalidPrecedingOrFollowingSize, "22013")     \
  X(InvalidArgumentForNtile, "22014")             \
  X(InvalidArgumentForNthValue, "22016")          \
  X(IntervalFieldOverflow, "22015")               \
  X(InvalidParameterValue, "22023")               \
  X(SequenceGeneratorLimitExceeded, "2200H")      \
  X(GeneratedAlways, "428C9")                     \
  X(InvalidArgumentForLog, "2201E")               \
  X(InvalidArgumentForPowerFunction, "2201F")     \
  X(InvalidArgumentForWidthBucket, "2201G")       \
  X(InvalidRowCountInLimitClause, "2201W")        \
  X(InvalidRowCountInResultOffsetClause, "2201X") \
  X(ArraySubscriptError, "2202E")                 \
  X(InvalidTextRepresentation, "22P02")           \
  X(InvalidBinaryRepresentation, "22P03")         \
  X(BadCopyFileFormat, "22P04")                   \
  X(UntranslatableCharacter, "22P05")             \
  X(NotNullViolation, "23502")                    \
  X(ForeignKeyViolation, "23503")                 \
  X(UniqueViolation, "23505")                     \
  X(CheckViolation, "23514")                      \
  X(InvalidTransactionState, "25000")             \
  X(ActiveSqlTransaction, "25001")                \
  X(ReadOnlySqlTransaction, "25006")              \
  X(InFailedSqlTransaction, "25P02")              \
  X(IdleInTransactionSessionTimeout, "25P03")     \
  X(NoActiveSqlTransaction, "25P01")              \
  X(InvalidSavepointSpecification, "3B001")       \
  X(InvalidSqlStatementName, "26000")             \
  X(InvalidCursorName, "34000")                   \
  X(DuplicateCursor, "42P03")                     \
  X(InvalidAuthorizationSpecification, "28000")   \
  X(SerializationFailure, "40001")                \
  X(DeadlockDetected, "40P01")                    \
  X(SyntaxError, "42601")                         \
  X(InvalidSchemaName, "3F000")                   \
  X(DependentObjectsStillExist, "2BP01")          \
  X(InsufficientPrivilege, "42501")               \
  X(ObjectNotInPrerequisiteState, "55000")        \
  X(UndefinedColumn, "42703")                     \
  X(UndefinedFunction, "42883")                   \
  X(UndefinedTable, "42P01")                      \
  X(UndefinedObject, "42704")                     \
  X(DuplicateColumn, "42701")                     \
  X(AmbiguousColumn, "42702")                     \
  X(AmbiguousFunction, "42725")                   \
  X(DuplicateAlias, "42712")                      \
  X(DuplicateTable, "42P07")                      \
  X(DuplicateSchema, "42P06")                     \
  X(ReservedName, "42939")                        \
  X(DuplicateObject, "42710")                     \
  X(InvalidForeignKey, "42830")                   \
  X(DatatypeMismatch, "42804")                    \
  X(CannotCoerce, "42846")                        \
  X(GroupingError, "42803")                       \
  X(WindowingError, "42P20")                      \
  X(InvalidRecursion, "42P19")                    \
  X(InvalidColumnReference, "42P10")              \
  X(InvalidTableDefinition, "42P16")              \
  X(InvalidObjectDefinition, "42P17")             \
  X(WrongObjectType, "42809")                     \
  X(InvalidName, "42602")                         \
  X(UndefinedParameter, "42P02")                  \
  X(DuplicatePreparedStatement, "42P05")          \
  X(AmbiguousParameter, "42P08")                  \
  X(IndeterminateDatatype, "42P18")               \
  X(WithCheckOptionViolation, "44000")            \
  X(TooManyConnections, "53300")                  \
  X(OutOfMemory, "53200")                         \
  X(DiskFull, "53100")                            \
  X(ProgramLimitExceeded, "54000")                \
  X(StatementTooComplex, "54001")                 \
  X(TooManyColumns, "54011")                      \
  X(TooManyArguments, "54023")                    \
  X(InvalidEscapeSequence, "22025")               \
  X(InvalidRegularExpression, "2201B")            \
  X(InvalidUseOfEscapeCharacter, "2200C")         \
  X(CantChangeRuntimeParam, "55P02")              \
  X(LockNotAvailable, "55P03")                    \
  X(QueryCanceled, "57014")                       \
  X(AdminShutdown, "57P01")                       \
  X(IoError, "58030")                             \
  X(InternalError, "XX000")                       \
  X(DataCorrupted, "XX001")

enum class SqlState {
#define OMENDB_SQLSTATE_ENUM(name, code) name,
  OMENDB_SQLSTATES(OMENDB_SQLSTATE_ENUM)
#undef OMENDB_SQLSTATE_ENUM
};

// The five-character code, e.g. "42P01".
std::string_view sqlstate_code(SqlState state);

}  // namespace omendb
