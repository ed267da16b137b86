# Rule: prp-trp (OWL 2 RL) - a transitive property's chains are closed (e.g. subtype of a subtype).
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { ?subject ?property ?object }
WHERE {
  ?property a owl:TransitiveProperty .
  ?subject ?property ?middle .
  ?middle ?property ?object .
  FILTER (?subject != ?object)
}
