#include "appreg/domain/ActivityEntry.h"

namespace appreg::domain {

const FieldTable& activityFields() {
    // An entry has a timestamp instead of created/modified.
    static const FieldTable table(concatFields(commonFields("activity stream", "activity_stream", "Activity Stream", false), {
        {.name = "timestamp", .type = FieldType::DateTime, .label = "Timestamp", .readOnly = true,
         .column = "timestamp"},
        {.name = "operation", .type = FieldType::Choice, .label = "Operation",
         .helpText = "The action taken with respect to the given object(s).", .readOnly = true,
         .choices = {{"create", "Entity Created"}, {"update", "Entity Updated"}, {"delete", "Entity Deleted"}},
         .column = "operation"},
        {.name = "changes", .type = FieldType::Object, .label = "Changes",
         .helpText = "A summary of the new and changed values when an object is created, updated, or deleted",
         .readOnly = true, .column = "changes", .searchable = true},
        {.name = "object1", .type = FieldType::String, .label = "Object1",
         .helpText = "For create, update, and delete events this is the object type that was affected. For "
                     "associate and disassociate events this is the object type associated or disassociated with "
                     "object2.",
         .readOnly = true, .column = "object1"},
        {.name = "object2", .type = FieldType::String, .label = "Object2",
         .helpText = "Unpopulated for create, update, and delete events. For associate and disassociate events "
                     "this is the object type that object1 is being associated with.",
         .readOnly = true},
        {.name = "object_association", .type = FieldType::Field, .label = "Object association",
         .helpText = "When present, shows the field name of the role or relationship that changed.",
         .readOnly = true},
        {.name = "action_node", .type = FieldType::String, .label = "Action node",
         .helpText = "The cluster node the activity took place on.", .readOnly = true},
        {.name = "object_type", .type = FieldType::Field, .label = "Object type",
         .helpText = "When present, shows the model on which the role or relationship was defined.",
         .readOnly = true},
    }));
    return table;
}

}  // namespace appreg::domain
